"""Inbound SMS: a stop keyword withdraws SMS consent with proof; other texts go on the timeline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from clientela.accounts.services import update_company
from clientela.consent.models import (
    CONTACT_PURPOSES,
    ConsentRecord,
    ConsentSource,
    ConsentStatus,
    Purpose,
)
from clientela.consent.services import may_contact, record_consent
from clientela.interactions.models import Interaction
from clientela.messaging.services.inbound import is_stop, keyword_of
from clientela.parties.models import Party
from tests.factories import api_client, make_party
from tests.messaging.sms_support import SECRET, post_signed

pytestmark = pytest.mark.django_db
URL = "/api/v1/public/sms/inbound"
NUMBER = "+351912345678"


@pytest.fixture(autouse=True)
def _secret(settings: Settings) -> None:
    settings.CLIENTELA_SMS_WEBHOOK_SECRET = SECRET


def _subscribed(phone: str = NUMBER) -> Party:
    party = make_party(phone=phone)
    for purpose in (Purpose.MARKETING, Purpose.NEWSLETTER):
        record_consent(
            party,
            purpose=purpose,
            channel="sms",
            status=ConsentStatus.GRANTED,
            source=ConsentSource.STAFF,
            legal_basis="legitimate_interest",
        )
    return party


@pytest.mark.parametrize(
    "text",
    [
        "STOP",
        "stop",
        " Stop! ",
        "STOP ALL",
        "stop  all",
        "StopAll",
        "PARAR",
        "Parar.",
        "Párar",
        "BAJA",
        "bája",
        "ALT",
        "alt!",
        "STÖP",
        "\uff33\uff54\uff4f\uff50",  # full-width letters
    ],
)
def test_the_stop_keywords_whatever_the_case_and_accents(text: str) -> None:
    assert is_stop(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "stop please",
        "don't stop",
        "STOPP",
        "para",
        "bajar",
        "halt",
        "unsubscribe me",
        "S T O P",
    ],
)
def test_other_texts_are_not_stop_keywords(text: str) -> None:
    assert not is_stop(text)


def test_a_keyword_is_compared_without_accents_case_or_punctuation() -> None:
    assert keyword_of("  ¡BÁJA!  ") == "baja"


def test_stop_withdraws_every_sms_purpose_of_the_party_with_proof(client: Client) -> None:
    party = _subscribed()
    assert may_contact(party, purpose=Purpose.MARKETING, channel="sms")
    at = timezone.now() - timedelta(seconds=30)
    response = post_signed(
        client, URL, {"from": NUMBER, "text": "Stop", "provider_id": "in-1", "at": at.isoformat()}
    )
    assert response.status_code == 200
    assert response.json() == {"outcome": "withdrawn", "parties": 1, "messages": 4}
    records = ConsentRecord.objects.filter(party=party, status=ConsentStatus.WITHDRAWN)
    assert {r.purpose for r in records} == set(CONTACT_PURPOSES)
    for record in records:
        assert (record.channel, record.source) == ("sms", "sms_reply")
        assert record.wording.text == "Stop"  # what the person sent is the proof
        assert record.wording.version == "sms-reply-1"
        assert NUMBER in record.note
        assert "in-1" in record.note
        # recorded when it came in, so that it is the latest word; the SMS's own time is noted
        assert record.recorded_at > at
        assert at.isoformat() in record.note
        assert record.legal_basis == (
            "legitimate_interest"
            if record.purpose in (Purpose.MARKETING, Purpose.NEWSLETTER)
            else "consent"
        )
    decision = may_contact(party, purpose=Purpose.MARKETING, channel="sms")
    assert not decision
    # e-mail is another channel: its consent is not touched
    assert not ConsentRecord.objects.filter(party=party, channel="email").exists()


def test_a_second_stop_records_nothing(client: Client) -> None:
    party = _subscribed()
    post_signed(client, URL, {"from": NUMBER, "text": "STOP"})
    again = post_signed(client, URL, {"from": NUMBER, "text": "BAJA"})
    assert again.json() == {"outcome": "withdrawn", "parties": 1, "messages": 0}
    assert ConsentRecord.objects.filter(party=party, status="withdrawn").count() == 4


def test_stop_reaches_every_party_with_that_number(client: Client) -> None:
    first, second = _subscribed(), _subscribed()
    response = post_signed(client, URL, {"from": "00351 912 345 678", "text": "parar"})
    assert response.json()["parties"] == 2
    for party in (first, second):
        assert not may_contact(party, purpose=Purpose.NEWSLETTER, channel="sms")


def test_a_number_written_without_its_country_is_read_in_the_companys_country(
    client: Client, admin: User
) -> None:
    update_company(by=admin, country="PT")
    party = _subscribed()
    response = post_signed(client, URL, {"from": "912 345 678", "text": "stop"})
    assert response.status_code == 200
    assert not may_contact(party, purpose=Purpose.MARKETING, channel="sms")


def test_a_stop_from_an_unknown_number_is_404(client: Client) -> None:
    _subscribed()
    response = post_signed(client, URL, {"from": "+34612345678", "text": "STOP"})
    assert response.status_code == 404
    assert response.json()["code"] == "sms_number_unknown"
    assert not ConsentRecord.objects.filter(status="withdrawn").exists()


def test_an_archived_party_is_not_the_sender(client: Client) -> None:
    make_party(phone=NUMBER, archived_at=timezone.now())
    response = post_signed(client, URL, {"from": NUMBER, "text": "Hello"})
    assert response.status_code == 404


def test_a_sender_that_is_not_a_number_is_422_naming_from(client: Client) -> None:
    response = post_signed(client, URL, {"from": "SHOP", "text": "STOP"})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "from"
    assert error["value"] == "SHOP"


def test_another_text_goes_on_the_senders_timeline(client: Client) -> None:
    party = _subscribed()
    at = timezone.now() - timedelta(minutes=2)
    text = "Is my order ready? I can pass by on Friday"
    response = post_signed(
        client, URL, {"from": NUMBER, "text": text, "provider_id": "in-9", "at": at.isoformat()}
    )
    assert response.json() == {"outcome": "logged", "parties": 1, "messages": 1}
    (interaction,) = Interaction.objects.filter(party=party)
    assert (interaction.channel, interaction.direction) == ("sms", "inbound")
    assert interaction.notes == text
    assert interaction.occurred_at == at
    assert interaction.staff is None
    assert may_contact(party, purpose=Purpose.MARKETING, channel="sms")  # nothing withdrawn


def test_the_same_message_twice_is_on_the_timeline_once(client: Client) -> None:
    party = _subscribed()
    payload = {"from": NUMBER, "text": "Thanks!", "provider_id": "in-10"}
    post_signed(client, URL, payload)
    again = post_signed(client, URL, payload)  # the gateway sent it again, under a new id
    assert again.json()["messages"] == 0
    assert Interaction.objects.filter(party=party).count() == 1


def test_the_timeline_shows_the_inbound_sms(client: Client, admin: User) -> None:
    party = _subscribed()
    post_signed(client, URL, {"from": NUMBER, "text": "Call me tomorrow"})
    timeline = api_client(admin).get(f"/api/v1/parties/{party.pk}/timeline")
    assert timeline.status_code == 200
    assert "Call me tomorrow" in timeline.content.decode()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": "STOP"}, "from"),
        ({"from": NUMBER}, "text"),
        ({"from": NUMBER, "text": ""}, "text"),
        ({"from": NUMBER, "text": "x" * 2001}, "text"),
    ],
)
def test_an_inbound_message_that_breaks_a_rule_is_422(
    client: Client, payload: dict[str, str], field: str
) -> None:
    response = post_signed(client, URL, payload)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


def test_an_unsigned_inbound_message_is_refused(client: Client) -> None:
    party = _subscribed()
    response = client.post(URL, {"from": NUMBER, "text": "STOP"}, content_type="application/json")
    assert response.status_code == 403
    assert may_contact(party, purpose=Purpose.MARKETING, channel="sms")
