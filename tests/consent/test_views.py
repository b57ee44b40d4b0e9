"""Pages: the public preference centre and the staff consent panel and privacy queue."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from clientela.accounts.models import User
from clientela.consent.models import ConsentRecord, Preferences, PrivacyRequest
from clientela.consent.services import issue_token, may_contact
from clientela.parties.models import Party
from tests import factories
from tests.consent.conftest import grant, streamed

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]


def _centre(party: Party) -> str:
    return reverse("consent:preference_centre", args=[issue_token(party, purpose="preferences")])


def _form(**extra: str) -> dict[str, str]:
    return {"action": "save", **extra}


def test_turning_e_mail_marketing_off_and_post_on_records_both_with_proof() -> None:
    party = factories.make_party(email="ana@example.com")
    client = Client(HTTP_USER_AGENT="Firefox/130", REMOTE_ADDR="192.0.2.44")
    url = _centre(party)
    page = client.get(url)
    assert b'name="consent-marketing-email" id="consent-marketing-email" checked' in page.content
    response = client.post(url, _form(**{"consent-marketing-post": "on"}))
    assert response.status_code == 200
    records = {(r.purpose, r.channel): r for r in ConsentRecord.objects.filter(party=party)}
    assert set(records) == {("marketing", "email"), ("marketing", "post")}
    off, on = records[("marketing", "email")], records[("marketing", "post")]
    assert (off.status, off.legal_basis) == ("withdrawn", "legitimate_interest")
    assert (on.status, on.source, on.ip_address, on.user_agent) == (
        "granted",
        "preference_centre",
        "192.0.2.44",
        "Firefox/130",
    )
    assert on.wording is not None
    assert "post" in on.wording.text.lower()
    assert not may_contact(party, purpose="marketing", channel="email").allowed


def test_saving_without_changes_records_nothing() -> None:
    party = factories.make_party(email="ana@example.com")
    grant(party, "newsletter")
    url = _centre(party)
    Client().post(url, _form(**{"consent-marketing-email": "on", "consent-newsletter-email": "on"}))
    assert ConsentRecord.objects.filter(party=party).count() == 1


def test_preferences_and_a_pause_are_saved_from_the_page() -> None:
    party = factories.make_party(email="ana@example.com")
    fields = {
        "max_per_week": "2",
        "quiet_start": "21:00",
        "quiet_end": "08:00",
        "paused_until": "2030-01-31",
        "topics": "wine, cheese",
        "consent-marketing-email": "on",
    }
    Client().post(_centre(party), _form(**fields))
    prefs = Preferences.objects.get(party=party)
    assert (prefs.max_per_week, prefs.topics, str(prefs.paused_until)) == (
        2,
        ["cheese", "wine"],
        "2030-01-31",
    )
    assert may_contact(party, purpose="marketing", channel="email").reason == "paused"


def test_a_bad_preference_is_shown_next_to_its_field_and_nothing_is_saved() -> None:
    party = factories.make_party(email="ana@example.com")
    response = Client().post(_centre(party), _form(max_per_week="-3"))
    assert response.status_code == 422
    assert b'class="error"' in response.content
    assert not Preferences.objects.exists()
    assert not ConsentRecord.objects.exists()


def test_unsubscribing_from_everything_keeps_transactional_messages() -> None:
    party = factories.make_party(email="ana@example.com", phone="+351912345678")
    grant(party, "newsletter", "sms")
    Client().post(_centre(party), {"action": "leave_all"})
    for purpose, channel in (("marketing", "email"), ("newsletter", "sms"), ("surveys", "post")):
        assert not may_contact(party, purpose=purpose, channel=channel).allowed
    assert may_contact(party, purpose="transactional", channel="email").allowed


def test_the_page_speaks_the_customers_language() -> None:
    party = factories.make_party(email="ana@example.com", language="pt")
    with translation.override("pt"):
        expected = translation.gettext("Your preferences")
    response = Client().get(_centre(party))
    assert response.status_code == 200
    assert expected.encode() in response.content
    assert b'lang="pt"' in response.content


def test_the_customer_downloads_their_data() -> None:
    party = factories.make_party(email="ana@example.com")
    token = issue_token(party, purpose="preferences")
    response = Client().get(reverse("consent:download_data", args=[token]))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(streamed(response)))
    assert "ana@example.com" in archive.read("contact_points.csv").decode()


def test_asking_to_be_forgotten_logs_one_erasure_request() -> None:
    party = factories.make_party(email="ana@example.com")
    url = reverse("consent:forget_me", args=[issue_token(party, purpose="preferences")])
    assert Client().post(url).status_code == 200
    assert Client().post(url).status_code == 200
    request = PrivacyRequest.objects.get(party=party)
    assert (request.kind, request.status, request.channel) == (
        "erasure",
        "open",
        "preference_centre",
    )


def test_the_staff_panel_shows_the_gate_and_the_proof(web_client: WebClient, manager: User) -> None:
    party = factories.make_party(email="ana@example.com")
    grant(party, "newsletter")
    client = web_client(manager)
    url = reverse("consent:party_consents", args=[party.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b"203.0.113.7" in page.content
    assert b"TestBrowser/1.0" in page.content
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    assert b'id="consent-panel"' in fragment.content
    assert b"<html" not in fragment.content
    assert b'data-purpose="newsletter" data-channel="email"' in fragment.content


def test_the_staff_panel_is_hidden_for_invisible_parties_and_strangers(
    web_client: WebClient, sales_a: User, sales_b: User
) -> None:
    party = factories.make_party(owner=sales_b, team=sales_b.team)
    url = reverse("consent:party_consents", args=[party.pk])
    assert web_client(sales_a).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_the_queue_lists_requests_and_a_manager_completes_one(
    web_client: WebClient, manager: User, viewer: User
) -> None:
    party = factories.make_party(email="ana@example.com")
    client = web_client(manager)
    created = client.post(
        reverse("consent:privacy_queue"), {"party_id": str(party.pk), "kind": "objection"}
    )
    assert created.status_code == 302
    request = PrivacyRequest.objects.get()
    assert str(request.pk).encode() in client.get(reverse("consent:privacy_queue")).content
    viewer_page = web_client(viewer).post(
        reverse("consent:privacy_request", args=[request.pk]), {"action": "complete"}
    )
    assert viewer_page.status_code == 422
    request.refresh_from_db()
    assert request.status == "open"
    done = client.post(
        reverse("consent:privacy_request", args=[request.pk]), {"action": "complete"}
    )
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == "completed"
    assert may_contact(party, purpose="marketing", channel="email").reason == "withdrawn"


def test_logging_a_request_for_an_unknown_party_names_the_field(
    web_client: WebClient, manager: User
) -> None:
    response = web_client(manager).post(
        reverse("consent:privacy_queue"), {"party_id": "999999", "kind": "access"}
    )
    assert response.status_code == 422
    assert not PrivacyRequest.objects.exists()
