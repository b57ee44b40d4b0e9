"""Every refusal of consent and privacy carries a stable code; pages show it next to its
field in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from clientela.consent.models import PrivacyRequest, SignupRequest
from clientela.consent.services import (
    erase_party,
    issue_token,
    may_contact,
    open_request,
    record_consent,
    store_wording,
    suppress,
)
from clientela.consent.services.privacy import find_party
from clientela.consent.services.wordings import find_wording
from clientela.core.errors import Conflict, DomainError, Invalid
from tests import factories
from tests.consent.conftest import grant

pytestmark = pytest.mark.django_db
Clients = Callable[[User], Client]
WORDING = {"text": "I agree to receive offers by SMS.", "version": "sms-1"}


def _send(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, body, content_type="application/json")


def _codes(response: Any) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]


def _consent(api_client: Clients, user: User, **body: Any) -> Any:
    party = body.pop("party", None) or factories.make_party(phone="+351912345678")
    url = f"/api/v1/parties/{party.pk}/consents"
    payload = {"purpose": "marketing", "channel": "sms", "status": "granted", **body}
    return _send(api_client(user), "post", url, payload)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({}, "wording_required"),
        ({"wording": WORDING, "source": "preference_centre"}, "consent_source_invalid"),
        ({"wording": WORDING, "recorded_at": "2024-05-01T10:00:00"}, "timezone_missing"),
        ({"wording": WORDING, "wording_sha256": "a" * 64}, "wording_twice"),
        ({"wording_sha256": "b" * 64}, "wording_not_found"),
        ({"wording": WORDING, "purpose": "profiling"}, "profiling_channel_any"),
        ({"wording": WORDING, "recorded_at": "2999-01-01T00:00:00Z"}, "recorded_in_future"),
    ],
)
def test_a_refused_consent_names_its_code(
    api_client: Clients, manager: User, body: dict[str, Any], code: str
) -> None:
    response = _consent(api_client, manager, **body)
    assert response.status_code == 422, response.content
    assert code in _codes(response)


def test_the_allowed_sources_are_named_in_the_message(api_client: Clients, manager: User) -> None:
    response = _consent(api_client, manager, wording=WORDING, source="preference_centre")
    (error,) = response.json()["errors"]
    assert error["message"] == "must be one of api, import, staff, web_form"
    assert error["params"] == {"allowed": "api, import, staff, web_form"}


def test_a_suppressed_contact_is_a_conflict_with_a_code(api_client: Clients, manager: User) -> None:
    party = factories.make_party(phone="+351912345678")
    suppress("phone", "+351912345678", reason="complaint")
    response = _consent(api_client, manager, party=party, wording=WORDING)
    assert response.status_code == 409
    assert response.json()["code"] == "contact_suppressed"
    assert response.json()["detail"].startswith("the party's sms contact is suppressed")


def test_an_erased_party_is_refused_with_codes(admin: User) -> None:
    party = factories.make_party(email="ana@example.com")
    erase_party(party, by=admin)
    with pytest.raises(Conflict) as again:
        erase_party(party, by=admin)
    assert (again.value.code, again.value.params) == ("party_already_erased", {"id": party.pk})
    assert again.value.detail == f"party {party.pk} was already erased"
    with pytest.raises(Conflict) as granted:
        grant(party, "surveys", "post")
    assert granted.value.code == "party_erased"
    with pytest.raises(Conflict) as requested:
        open_request(party, kind="access", channel="staff", by=admin)
    assert requested.value.code == "party_already_erased"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"topics": ["Wine"]}, "topic_invalid", "topics"),
        ({"quiet_start": "21:00"}, "quiet_hours_incomplete", "body"),
        ({"preferred_channel": "any"}, "channel_invalid", "preferred_channel"),
    ],
)
def test_refused_preferences_name_their_code(
    api_client: Clients, manager: User, body: dict[str, Any], code: str, field: str
) -> None:
    party = factories.make_party()
    url = f"/api/v1/parties/{party.pk}/preferences"
    response = _send(api_client(manager), "patch", url, body)
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["code"], error["field"]) == (code, field)


def test_a_bad_topic_is_named_in_the_message(api_client: Clients, manager: User) -> None:
    party = factories.make_party()
    url = f"/api/v1/parties/{party.pk}/preferences"
    response = _send(api_client(manager), "patch", url, {"topics": ["ok", "Wine"]})
    (error,) = response.json()["errors"]
    assert error["params"] == {"topic": "Wine"}
    assert "“Wine”" in error["message"]


def test_signing_up_to_profiling_is_refused_with_a_code() -> None:
    response = Client().post(
        "/api/v1/public/signups",
        {"email": "nova@example.com", "purposes": ["profiling"], "wording": {"text": "x"}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert _codes(response) == ["signup_list_invalid"]


@pytest.fixture
def unreachable_smtp(settings: Settings) -> None:
    """A mail server that refuses every connection: a port nothing listens on."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2


@pytest.mark.usefixtures("unreachable_smtp")
def test_a_confirmation_the_mail_server_refuses_is_a_503_with_a_code() -> None:
    response = Client().post(
        "/api/v1/public/signups",
        {"email": "nova@example.com", "wording": {"text": "Yes, the newsletter."}},
        content_type="application/json",
    )
    assert response.status_code == 503
    assert response.json()["code"] == "confirmation_not_sent"


@pytest.mark.usefixtures("unreachable_smtp")
def test_the_sign_up_form_says_the_mail_could_not_be_sent_next_to_the_address() -> None:
    response = Client().post("/signup/", {"email": "form@example.com", "agree": "on"})
    assert response.status_code == 503
    assert b"the confirmation e-mail could not be sent" in response.content
    assert SignupRequest.objects.count() == 1


def test_privacy_request_refusals_name_their_codes(
    api_client: Clients, manager: User, sales_a: User
) -> None:
    party = factories.make_party(owner=sales_a)
    created = _send(
        api_client(sales_a),
        "post",
        "/api/v1/privacy-requests",
        {"party_id": party.pk, "kind": "access"},
    )
    url = f"/api/v1/privacy-requests/{created.json()['id']}/act"
    bad_action = _send(api_client(manager), "post", url, {"action": "delete"})
    assert _codes(bad_action) == ["request_action_invalid"]
    no_reason = _send(api_client(manager), "post", url, {"action": "reject"})
    assert _codes(no_reason) == ["reject_reason_required"]
    refused = _send(api_client(sales_a), "post", url, {"action": "complete"})
    assert (refused.status_code, refused.json()["code"]) == (403, "privacy_act_forbidden")
    _send(api_client(manager), "post", url, {"action": "complete"})
    twice = _send(api_client(manager), "post", url, {"action": "complete"})
    assert (twice.status_code, twice.json()["code"]) == (409, "request_already_decided")
    assert twice.json()["detail"].endswith("is already Completed")
    missing = api_client(manager).get("/api/v1/privacy-requests/999999")
    assert (missing.status_code, missing.json()["code"]) == (404, "privacy_request_not_found")


def test_service_refusals_name_their_codes(manager: User) -> None:
    party = factories.make_party(email="ana@example.com")
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: may_contact(party, purpose="spam", channel="email"), "purpose_invalid"),
        (lambda: may_contact(party, purpose="marketing", channel="fax"), "channel_invalid"),
        (lambda: store_wording("   "), "wording_empty"),
        (lambda: find_wording("c" * 64), "wording_not_found"),
        (lambda: suppress("address", "1 Main St", reason="manual"), "suppression_kind_invalid"),
        (lambda: suppress("email", "a@example.com", reason="bored"), "suppression_reason_invalid"),
        (lambda: issue_token(party, purpose="unsubscribe"), "unsubscribe_list_invalid"),
        (lambda: open_request(party, kind="gossip", channel="staff"), "request_kind_invalid"),
        (
            lambda: record_consent(
                party, purpose="marketing", channel="email", status="maybe", source="staff"
            ),
            "consent_status_invalid",
        ),
        (
            lambda: record_consent(
                party,
                purpose="marketing",
                channel="email",
                status="withdrawn",
                source="rumour",
                legal_basis="whim",
            ),
            "legal_basis_invalid",
        ),
    ]
    for call, code in cases:
        with pytest.raises(Invalid) as caught:
            call()
        assert code in [e.code for e in caught.value.errors], code


def test_an_address_that_cannot_be_suppressed_is_refused_naming_the_value() -> None:
    with pytest.raises(Invalid) as caught:
        suppress("email", "not an address", reason="manual")
    (error,) = caught.value.errors
    assert (error.field, error.value) == ("value", "not an address")
    # The parties app's own code when its normaliser gives one, else consent's.
    assert error.code in {"email_invalid", "contact_invalid"}


def test_an_unknown_party_on_the_command_line_has_a_code() -> None:
    with pytest.raises(DomainError) as caught:
        find_party("nobody@example.com")
    assert caught.value.code == "party_not_found"
    assert caught.value.detail == "no party with id, external id or e-mail “nobody@example.com”"


def test_a_rejection_without_a_reason_is_shown_next_to_the_note_in_portuguese(
    web_client: Clients, manager: User
) -> None:
    request = open_request(factories.make_party(), kind="access", channel="staff", by=manager)
    response = web_client(manager).post(
        reverse("consent:privacy_request", args=[request.pk]),
        {"action": "reject", "note": " "},
        HTTP_ACCEPT_LANGUAGE="pt",
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="note-error">indique porque é que o pedido é rejeitado<' in page
    assert PrivacyRequest.objects.get().status == "open"


def test_a_bad_party_number_is_shown_next_to_its_field(web_client: Clients, manager: User) -> None:
    response = web_client(manager).post(
        reverse("consent:privacy_queue"), {"party_id": "abc", "kind": "access"}
    )
    assert response.status_code == 422
    assert "must be a whole number (you entered “abc”)" in response.content.decode()


def test_the_preference_centre_speaks_the_customers_language_about_quiet_hours() -> None:
    party = factories.make_party(email="ana@example.com", language="pt")
    url = reverse("consent:preference_centre", args=[issue_token(party, purpose="preferences")])
    response = Client().post(url, {"action": "save", "quiet_start": "21:00"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "indique o início e o fim das horas de silêncio, ou nenhum dos dois" in page
