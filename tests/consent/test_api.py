"""REST routes: consents, preferences and privacy requests, with access rules."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from clientela.accounts.models import User
from clientela.consent.models import ConsentRecord, PrivacyRequest
from clientela.consent.services import suppress
from tests import factories
from tests.consent.conftest import grant, streamed

pytestmark = pytest.mark.django_db
ApiClient = Callable[[User], Client]
WORDING = {"text": "I agree to receive offers by SMS.", "version": "sms-1", "language": "en"}


def _post(client: Client, url: str, body: dict[str, object]) -> Any:
    return client.post(url, body, content_type="application/json")


def test_a_consent_is_recorded_with_its_wording_and_actor(
    api_client: ApiClient, manager: User
) -> None:
    party = factories.make_party(phone="+351912345678")
    response = _post(
        api_client(manager),
        f"/api/v1/parties/{party.pk}/consents",
        {"purpose": "marketing", "channel": "sms", "status": "granted", "wording": WORDING},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["source"], body["actor"]) == ("granted", "api", str(manager))
    assert body["wording"]["text"] == WORDING["text"]
    assert len(body["wording"]["sha256"]) == 64


def test_the_consents_resource_gives_state_gate_and_history(
    api_client: ApiClient, manager: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    party = factories.make_party(email="ana@example.com")
    grant(party, "newsletter")
    with django_assert_max_num_queries(15):
        response = api_client(manager).get(f"/api/v1/parties/{party.pk}/consents")
    assert response.status_code == 200
    body = response.json()
    assert body["current"][0]["status"] == "granted"
    assert body["history"][0]["ip_address"] == "203.0.113.7"
    gate = {(d["purpose"], d["channel"]): d for d in body["gate"]}
    assert gate[("newsletter", "email")]["allowed"] is True
    assert gate[("marketing", "email")]["reason"] == "soft_opt_in"
    assert gate[("surveys", "sms")]["reason"] == "no_contact_point"


def test_a_grant_without_wording_names_the_field(api_client: ApiClient, manager: User) -> None:
    party = factories.make_party()
    response = _post(
        api_client(manager),
        f"/api/v1/parties/{party.pk}/consents",
        {"purpose": "marketing", "channel": "email", "status": "granted"},
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "wording"


def test_the_api_cannot_bring_a_suppressed_contact_back(
    api_client: ApiClient, manager: User
) -> None:
    party = factories.make_party(email="gone@example.com")
    suppress("email", "gone@example.com", reason="hard_bounce")
    response = _post(
        api_client(manager),
        f"/api/v1/parties/{party.pk}/consents",
        {
            "purpose": "marketing",
            "channel": "email",
            "status": "granted",
            "source": "import",
            "wording": WORDING,
        },
    )
    assert response.status_code == 409
    assert not ConsentRecord.objects.exists()


def test_a_viewer_may_read_but_not_record_consent(api_client: ApiClient, viewer: User) -> None:
    party = factories.make_party()
    client = api_client(viewer)
    assert client.get(f"/api/v1/parties/{party.pk}/consents").status_code == 200
    response = _post(
        client,
        f"/api/v1/parties/{party.pk}/consents",
        {"purpose": "marketing", "channel": "email", "status": "withdrawn"},
    )
    assert response.status_code == 403
    assert not ConsentRecord.objects.exists()


def test_sales_see_no_consents_of_another_teams_party(
    api_client: ApiClient, sales_a: User, sales_b: User
) -> None:
    party = factories.make_party(owner=sales_b, team=sales_b.team)
    client = api_client(sales_a)
    assert client.get(f"/api/v1/parties/{party.pk}/consents").status_code == 404
    assert client.get(f"/api/v1/parties/{party.pk}/preferences").status_code == 404
    response = _post(
        client,
        f"/api/v1/parties/{party.pk}/consents",
        {"purpose": "marketing", "channel": "email", "status": "withdrawn"},
    )
    assert response.status_code == 404


def test_preferences_are_read_patched_and_replaced(api_client: ApiClient, manager: User) -> None:
    party = factories.make_party(timezone="Europe/Lisbon")
    client = api_client(manager)
    url = f"/api/v1/parties/{party.pk}/preferences"
    assert client.get(url).json()["time_zone"] == "Europe/Lisbon"
    patched = client.patch(
        url,
        {"max_per_week": 2, "quiet_start": "21:00", "quiet_end": "08:00", "topics": ["Wine"]},
        content_type="application/json",
    )
    assert patched.status_code == 422
    assert patched.json()["errors"][0]["field"] == "topics"
    patched = client.patch(
        url, {"max_per_week": 2, "topics": ["wine", "cheese"]}, content_type="application/json"
    )
    assert patched.json()["max_per_week"] == 2
    assert patched.json()["topics"] == ["cheese", "wine"]
    replaced = client.put(url, {"max_per_month": 4}, content_type="application/json")
    body = replaced.json()
    assert (body["max_per_week"], body["max_per_month"], body["topics"]) == (None, 4, [])


def test_quiet_hours_need_both_ends(api_client: ApiClient, manager: User) -> None:
    party = factories.make_party()
    response = api_client(manager).patch(
        f"/api/v1/parties/{party.pk}/preferences",
        {"quiet_start": "21:00"},
        content_type="application/json",
    )
    assert response.status_code == 422


def test_privacy_requests_are_logged_listed_and_acted_on(
    api_client: ApiClient, manager: User, sales_a: User
) -> None:
    party = factories.make_party(email="ana@example.com", owner=sales_a)
    created = _post(
        api_client(sales_a), "/api/v1/privacy-requests", {"party_id": party.pk, "kind": "access"}
    )
    assert created.status_code == 201
    request_id = created.json()["id"]
    assert created.json()["status"] == "open"
    listing = api_client(manager).get("/api/v1/privacy-requests?status=open")
    assert [r["id"] for r in listing.json()["items"]] == [request_id]
    export = api_client(sales_a).get(f"/api/v1/privacy-requests/{request_id}/export")
    assert export["Content-Type"] == "application/json"
    data = json.loads(streamed(export))  # streamed: any size fits
    assert data["contact_points"][0]["value"] == "ana@example.com"
    refused = _post(
        api_client(sales_a), f"/api/v1/privacy-requests/{request_id}/act", {"action": "complete"}
    )
    assert refused.status_code == 403
    done = _post(
        api_client(manager), f"/api/v1/privacy-requests/{request_id}/act", {"action": "complete"}
    )
    assert done.json()["status"] == "completed"


def test_privacy_requests_of_invisible_parties_are_hidden(
    api_client: ApiClient, sales_a: User, sales_b: User, manager: User
) -> None:
    party = factories.make_party(owner=sales_b, team=sales_b.team)
    response = _post(
        api_client(sales_a), "/api/v1/privacy-requests", {"party_id": party.pk, "kind": "erasure"}
    )
    assert response.status_code == 404
    PrivacyRequest.objects.create(
        party=party, kind="access", channel="staff", due_at="2030-01-01T00:00Z"
    )
    assert api_client(sales_a).get("/api/v1/privacy-requests").json()["items"] == []
    assert len(api_client(manager).get("/api/v1/privacy-requests").json()["items"]) == 1


def test_the_privacy_request_list_uses_a_fixed_number_of_queries(
    api_client: ApiClient, manager: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(5):
        PrivacyRequest.objects.create(
            party=factories.make_party(), kind="access", channel="staff", due_at="2030-01-01T00:00Z"
        )
    client = api_client(manager)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/privacy-requests")
    assert len(response.json()["items"]) == 5
