"""The admin shows consent and privacy without letting proof be rewritten or addresses on the
suppression list be read."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.consent.models import (
    ConsentRecord,
    ContactLog,
    Preferences,
    PrivacyRequest,
    SuppressedContact,
)
from clientela.consent.services import (
    issue_token,
    open_request,
    record_contact,
    suppress,
)
from tests import factories
from tests.consent.conftest import grant

pytestmark = pytest.mark.django_db
Clients = Callable[[User], Client]
MODELS = (
    "consentrecord",
    "consentwording",
    "preferences",
    "privacyrequest",
    "suppressedcontact",
    "contactlog",
    "preferencetoken",
    "signuprequest",
)


@pytest.fixture
def filled(manager: User) -> ConsentRecord:
    party = factories.make_party(email="ana@example.com")
    record = grant(party, "newsletter")
    Preferences.objects.create(party=party, max_per_week=2)
    open_request(party, kind="access", channel="staff", by=manager)
    suppress("email", "gone@example.com", reason="hard_bounce")
    record_contact(party, purpose="newsletter", channel="email")
    issue_token(party, purpose="preferences")
    return record


@pytest.mark.usefixtures("filled")
@pytest.mark.parametrize("model", MODELS)
def test_an_admin_sees_each_list_searches_and_opens_a_row(
    admin: User, web_client: Clients, model: str
) -> None:
    client = web_client(admin)
    listing = client.get(f"/admin/consent/{model}/")
    assert listing.status_code == 200
    assert client.get(f"/admin/consent/{model}/?q=ana").status_code == 200


@pytest.mark.parametrize("model", ["consentrecord", "consentwording", "suppressedcontact"])
def test_proof_and_the_suppression_list_cannot_be_changed(
    admin: User, web_client: Clients, filled: ConsentRecord, model: str
) -> None:
    client = web_client(admin)
    assert client.get(f"/admin/consent/{model}/add/").status_code == 403
    record = ConsentRecord.objects.get()
    page = client.get(f"/admin/consent/consentrecord/{record.pk}/change/")
    assert page.status_code == 200
    assert b'name="status"' not in page.content
    assert client.post(f"/admin/consent/consentrecord/{record.pk}/delete/").status_code == 403


def test_the_suppression_list_never_shows_an_address_but_finds_one_typed(
    admin: User, web_client: Clients, filled: ConsentRecord
) -> None:
    client = web_client(admin)
    row = SuppressedContact.objects.get()
    assert row.value == "gone@example.com"
    listing = client.get("/admin/consent/suppressedcontact/")
    detail = client.get(f"/admin/consent/suppressedcontact/{row.pk}/change/")
    for page in (listing, detail):
        assert b"gone@example.com" not in page.content
        assert row.digest.encode() not in page.content
    found = client.get("/admin/consent/suppressedcontact/?q=GONE@example.com")
    assert f"/admin/consent/suppressedcontact/{row.pk}/change/".encode() in found.content
    missed = client.get("/admin/consent/suppressedcontact/?q=other@example.com")
    assert f"/admin/consent/suppressedcontact/{row.pk}/change/".encode() not in missed.content


def test_preferences_edited_in_the_admin_follow_the_apis_rules(
    admin: User, web_client: Clients, filled: ConsentRecord
) -> None:
    prefs = Preferences.objects.get()
    url = f"/admin/consent/preferences/{prefs.pk}/change/"
    form = {"preferred_channel": "", "language": "", "max_per_week": "3", "topics": "[]"}
    refused = web_client(admin).post(url, {**form, "quiet_start": "21:00"})
    assert refused.status_code == 200  # the form again, with the problem
    assert b"give both the start and the end of the quiet hours" in refused.content
    prefs.refresh_from_db()
    assert (prefs.max_per_week, prefs.quiet_start) == (2, None)
    saved = web_client(admin).post(url, {**form, "topics": '["wine"]'})
    assert saved.status_code == 302
    prefs.refresh_from_db()
    assert (prefs.max_per_week, prefs.topics) == (3, ["wine"])


def test_only_the_note_of_a_privacy_request_can_be_changed(
    admin: User, web_client: Clients, filled: ConsentRecord
) -> None:
    request = PrivacyRequest.objects.get()
    url = f"/admin/consent/privacyrequest/{request.pk}/change/"
    response = web_client(admin).post(url, {"note": "called back", "status": "completed"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.note, request.status) == ("called back", "open")
    assert web_client(admin).get("/admin/consent/privacyrequest/add/").status_code == 403


def test_the_contact_log_is_read_only(
    admin: User, web_client: Clients, filled: ConsentRecord
) -> None:
    row = ContactLog.objects.get()
    page = web_client(admin).get(f"/admin/consent/contactlog/{row.pk}/change/")
    assert page.status_code == 200
    assert b'name="reference"' not in page.content


def test_preferences_added_in_the_admin_are_saved_through_the_service(
    admin: User, web_client: Clients
) -> None:
    party = factories.make_party()
    response = web_client(admin).post(
        "/admin/consent/preferences/add/",
        {"party": str(party.pk), "max_per_month": "4", "topics": '["cheese", "cheese"]'},
    )
    assert response.status_code == 302
    prefs = Preferences.objects.get(party=party)
    assert (prefs.max_per_month, prefs.topics) == (4, ["cheese"])
