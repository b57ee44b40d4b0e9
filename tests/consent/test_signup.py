"""Public sign-up with double opt-in, against a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from clientela.consent.models import ConsentRecord, SignupRequest, SuppressedContact
from clientela.consent.services import erase_party, issue_token, may_contact, suppress
from clientela.parties.models import ContactPoint, Party
from tests import factories
from tests.consent.conftest import Inbox, withdraw

pytestmark = pytest.mark.django_db
LINK = re.compile(r"http://\S+/signup/confirm/([A-Za-z0-9_-]{43})/")
WORDING = "Yes, send me the monthly newsletter by e-mail."


def _sign_up(client: Client, email: str = "nova@example.com", **extra: object) -> int:
    body: dict[str, object] = {
        "email": email,
        "name": "Nova Leitora",
        "wording": {"text": WORDING, "version": "w1"},
    }
    body.update(extra)
    response = client.post("/api/v1/public/signups", body, content_type="application/json")
    return response.status_code


def _link(inbox: Inbox, index: int = -1) -> str:
    payload = inbox.messages[index].get_payload(decode=True)
    assert isinstance(payload, bytes)
    payload = payload.decode()
    match = LINK.search(payload)
    assert match is not None, payload
    return match.group(0).removeprefix("http://localhost:8000")


def test_the_confirmation_e_mail_arrives_and_nothing_is_granted_before_it(
    smtp_inbox: Inbox,
) -> None:
    assert _sign_up(Client()) == 202
    assert len(smtp_inbox.messages) == 1
    message = smtp_inbox.messages[0]
    assert message["To"] == "nova@example.com"
    assert message["Subject"] == "Please confirm your subscription"
    assert "nova@example.com" not in _link(smtp_inbox)
    assert not ConsentRecord.objects.exists()
    assert not Party.objects.exists()


def test_the_link_confirms_once_with_the_wording_shown(smtp_inbox: Inbox) -> None:
    _sign_up(Client())
    link = _link(smtp_inbox)
    client = Client()
    assert client.get(link).status_code == 200
    assert not ConsentRecord.objects.exists()  # a GET (mail scanners) grants nothing
    assert client.post(link).status_code == 200
    record = ConsentRecord.objects.get()
    assert (record.purpose, record.channel, record.status) == ("newsletter", "email", "granted")
    assert record.wording is not None
    assert (record.source, record.wording.text) == ("double_opt_in", WORDING)
    party = record.party
    assert ContactPoint.objects.get(party=party).normalized == "nova@example.com"
    assert may_contact(party, purpose="newsletter", channel="email").allowed
    assert client.post(link).status_code == 404
    assert ConsentRecord.objects.count() == 1


def test_a_confirmation_replayed_after_a_withdrawal_does_not_resubscribe(
    smtp_inbox: Inbox,
) -> None:
    _sign_up(Client())
    link = _link(smtp_inbox)
    Client().post(link)
    party = ConsentRecord.objects.get().party
    withdraw(party, "newsletter")
    assert Client().post(link).status_code == 404
    assert may_contact(party, purpose="newsletter", channel="email").reason == "withdrawn"


def test_an_expired_link_confirms_nothing(smtp_inbox: Inbox) -> None:
    _sign_up(Client())
    link = _link(smtp_inbox)
    SignupRequest.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().post(link).status_code == 404
    assert not ConsentRecord.objects.exists()


def test_an_existing_party_with_the_address_gets_the_consent(smtp_inbox: Inbox) -> None:
    party = factories.make_party(email="nova@example.com")
    _sign_up(Client())
    Client().post(_link(smtp_inbox))
    assert ConsentRecord.objects.get().party == party


def test_floods_from_one_address_send_no_more_mail_and_answer_the_same(
    smtp_inbox: Inbox, settings: Settings
) -> None:
    settings.CLIENTELA_SIGNUP_PER_ADDRESS = 2
    client = Client()
    statuses = [_sign_up(client, "NOVA@example.com", name=f"n{i}") for i in range(4)]
    assert statuses == [202, 202, 202, 202]
    assert len(smtp_inbox.messages) == 2


def test_floods_from_one_ip_are_throttled(smtp_inbox: Inbox, settings: Settings) -> None:
    settings.CLIENTELA_SIGNUP_PER_IP = 2
    client = Client(REMOTE_ADDR="198.51.100.20")
    statuses = [_sign_up(client, f"p{i}@example.com") for i in range(3)]
    assert statuses == [202, 202, 429]
    assert len(smtp_inbox.messages) == 2
    assert _sign_up(Client(REMOTE_ADDR="198.51.100.21"), "q@example.com") == 202


def _unsubscribe_by_link(party: Party, purpose: str = "newsletter") -> None:
    token = issue_token(party, purpose="unsubscribe", list_purpose=purpose)
    assert Client().post(f"/unsubscribe/{token}/").status_code == 200


def test_a_second_unused_link_does_not_resubscribe_after_an_unsubscribe(
    smtp_inbox: Inbox,
) -> None:
    """The audit's case: two sign-ups, the first confirmed, then an unsubscribe; the second
    link, never used, must not bring the person back."""
    _sign_up(Client())
    _sign_up(Client())
    first, second = _link(smtp_inbox, 0), _link(smtp_inbox, 1)
    assert Client().post(first).status_code == 200
    party = ConsentRecord.objects.get().party
    _unsubscribe_by_link(party)
    assert Client().post(second).status_code == 404
    assert may_contact(party, purpose="newsletter", channel="email").reason == "withdrawn"
    assert ConsentRecord.objects.filter(status="granted").count() == 1


def test_a_pending_link_dies_when_the_person_unsubscribes_anywhere(smtp_inbox: Inbox) -> None:
    party = factories.make_party(email="nova@example.com")
    _sign_up(Client())
    withdraw(party, "marketing")  # staff record a no for another list, by e-mail
    assert Client().post(_link(smtp_inbox)).status_code == 404
    assert not ConsentRecord.objects.filter(status="granted").exists()


def test_a_pending_link_dies_when_the_address_is_suppressed(smtp_inbox: Inbox) -> None:
    _sign_up(Client())
    suppress("email", "NOVA@example.com", reason="complaint")
    assert Client().post(_link(smtp_inbox)).status_code == 404
    assert not ConsentRecord.objects.exists()


def test_a_sign_up_made_after_an_unsubscribe_brings_the_person_back(smtp_inbox: Inbox) -> None:
    """An unsubscribe is a withdrawal: the person's own fresh, confirmed sign-up is newer."""
    party = factories.make_party(email="nova@example.com")
    _unsubscribe_by_link(party)
    _sign_up(Client())
    assert Client().post(_link(smtp_inbox)).status_code == 200
    assert may_contact(party, purpose="newsletter", channel="email").allowed


@pytest.mark.parametrize("reason", ["hard_bounce", "complaint", "manual"])
def test_a_confirmation_lifts_no_suppression(smtp_inbox: Inbox, reason: str) -> None:
    """Bounces, complaints and staff's decisions stay until staff lift them: a confirmation
    (which a link-following mail scanner may click) is not enough to undo them."""
    suppress("email", "nova@example.com", reason=reason)
    _sign_up(Client())
    assert Client().post(_link(smtp_inbox)).status_code == 200
    record = ConsentRecord.objects.get()  # the person's wish is kept as proof…
    assert (record.status, record.source) == ("granted", "double_opt_in")
    decision = may_contact(record.party, purpose="newsletter", channel="email")
    assert decision.reason == "suppressed"  # …and the suppression still wins
    assert SuppressedContact.objects.get().lifted_at is None


def test_a_sign_up_after_an_erasure_does_not_lift_the_erasure(
    smtp_inbox: Inbox, admin: User
) -> None:
    erased = factories.make_party(email="nova@example.com")
    erase_party(erased, by=admin)
    _sign_up(Client())
    assert Client().post(_link(smtp_inbox)).status_code == 200
    record = ConsentRecord.objects.get(status="granted")
    assert record.party_id != erased.pk  # a new party: nothing of the old one came back
    decision = may_contact(record.party, purpose="newsletter", channel="email")
    assert decision.reason == "suppressed"


def test_a_bad_sign_up_names_the_field(smtp_inbox: Inbox) -> None:
    response = Client().post(
        "/api/v1/public/signups",
        {"email": "not-an-address", "wording": {"text": WORDING}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "email"
    assert not smtp_inbox.messages


def test_the_embeddable_form_records_the_wording_it_shows(smtp_inbox: Inbox) -> None:
    client = Client(enforce_csrf_checks=True)
    page = client.get("/signup/")
    assert page.status_code == 200
    assert "X-Frame-Options" not in page
    response = client.post("/signup/", {"email": "form@example.com", "agree": "on"})
    assert response.status_code == 200
    assert len(smtp_inbox.messages) == 1
    wording = SignupRequest.objects.get().wording.text
    assert wording.encode() in page.content
