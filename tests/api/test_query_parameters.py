"""A query parameter an operation does not take is refused with 422, naming it, on every
operation; before, it was ignored and a typo in a filter answered every row with 200."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from clientela.accounts.models import User
from tests import factories
from tests.accounts.test_company_logo import png
from tests.api.problems import assert_problem

pytestmark = pytest.mark.django_db
ApiClient = Callable[[User], Client]

# A body each operation that reads JSON accepts, so that only the query can be wrong.
VALID_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("post", "/api/v1/parties"): {"kind": "person", "given_name": "Ana"},
    ("patch", "/api/v1/parties/{party_id}"): {},
    ("post", "/api/v1/parties/{party_id}/merge"): {"other_id": 1},
    ("post", "/api/v1/interactions"): {
        "party_id": 1,
        "channel": "phone",
        "direction": "inbound",
        "subject": "Call",
    },
    ("post", "/api/v1/interactions/{interaction_id}/corrections"): {
        "channel": "phone",
        "direction": "inbound",
        "subject": "Call",
    },
    ("post", "/api/v1/orders"): {
        "party_id": 1,
        "external_id": "A-1",
        "ordered_at": "2024-05-01T10:00:00Z",
        "total": "10.00",
        "currency": "EUR",
    },
    ("post", "/api/v1/exchange-rates"): {"day": "2024-12-06", "currency": "USD", "rate": "1.05"},
    ("post", "/api/v1/parties/{party_id}/consents"): {
        "purpose": "marketing",
        "channel": "email",
        "status": "withdrawn",
    },
    ("put", "/api/v1/parties/{party_id}/preferences"): {},
    ("patch", "/api/v1/parties/{party_id}/preferences"): {},
    ("post", "/api/v1/privacy-requests"): {"party_id": 1, "kind": "access"},
    ("post", "/api/v1/privacy-requests/{request_id}/act"): {"action": "complete"},
    ("post", "/api/v1/public/signups"): {
        "email": "ana@example.com",
        "wording": {"text": "Yes, send me the newsletter."},
    },
    ("post", "/api/v1/public/unsubscribe"): {"token": "not-a-token"},
    ("post", "/api/v1/segments"): {"name": "Press"},
    ("post", "/api/v1/segments/preview"): {"rules": {"all": []}},
    ("patch", "/api/v1/segments/{segment_id}"): {},
    ("patch", "/api/v1/company"): {"country": "PT"},
    ("post", "/api/v1/segments/{segment_id}/static-members"): {"party_id": 1},
    ("post", "/api/v1/activities"): {
        "party_id": 1,
        "kind": "call",
        "title": "Call",
        "due_date": "2030-01-01",
    },
    ("patch", "/api/v1/activities/{activity_id}"): {},
    ("post", "/api/v1/activities/{activity_id}/complete"): {"outcome": "Reached"},
    ("post", "/api/v1/activities/{activity_id}/snooze"): {
        "until": (datetime.now(UTC) + timedelta(days=1)).isoformat()
    },
    ("post", "/api/v1/call-lists"): {
        "name": "Week 49",
        "starts_on": "2027-12-06",
        "ends_on": "2027-12-10",
        "party_ids": [1],
    },
    ("post", "/api/v1/call-lists/{list_id}/items/{item_id}/outcome"): {"outcome": "reached"},
    ("post", "/api/v1/users/invitations"): {"email": "new@example.com", "role": "sales"},
    ("patch", "/api/v1/users/{user_id}"): {},
    ("post", "/api/v1/teams"): {"name": "North"},
    ("post", "/api/v1/templates"): {
        "name": "Hi",
        "channel": "sms",
        "purpose": "transactional",
        "default_language": "en",
        "variants": [{"language": "en", "body": "Hi"}],
    },
    ("patch", "/api/v1/templates/{template_id}"): {},
    ("patch", "/api/v1/teams/{team_id}"): {"name": "North"},
    ("post", "/api/v1/tokens"): {"name": "script"},
    ("post", "/api/v1/custom-fields"): {"key": "tier", "label": "Tier"},
    ("patch", "/api/v1/custom-fields/{field_id}"): {},
    ("post", "/api/v1/parties/bulk"): {"action": "tag", "ids": [1], "tag": "x"},
    ("post", "/api/v1/saved-views"): {"name": "Mine"},
    ("patch", "/api/v1/saved-views/{view_id}"): {"name": "Mine"},
    ("post", "/api/v1/parties/{party_id}/messages"): {"subject": "Hello", "body": "Your order"},
    ("post", "/api/v1/public/sms/receipts"): {"provider_id": "gw-1", "status": "delivered"},
    ("post", "/api/v1/public/sms/inbound"): {"from": "+351912345678", "text": "Hello"},
}

# A file each operation that reads a multipart upload accepts.
VALID_FILES: dict[tuple[str, str], dict[str, bytes]] = {
    ("post", "/api/v1/company/logo"): {"logo": png()},
}


def _operations() -> list[tuple[str, str, bool]]:
    """(method, path, reads JSON) of every operation the OpenAPI document lists."""
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    return [
        (method, path, "application/json" in op.get("requestBody", {}).get("content", {}))
        for path, item in paths.items()
        for method, op in item.items()
    ]


@pytest.mark.parametrize(("method", "path", "reads_json"), _operations())
def test_every_operation_refuses_a_query_parameter_it_does_not_take(
    admin: User, api_client: ApiClient, method: str, path: str, reads_json: bool
) -> None:
    url = path.replace("{party_id}", "1").replace("{segment_id}", "1")
    url = url.replace("{pair_id}", "1").replace("{request_id}", "1").replace("{activity_id}", "1")
    url = url.replace("{list_id}", "1").replace("{item_id}", "1").replace("{order_id}", "1")
    for name in ("{user_id}", "{team_id}", "{token_id}", "{field_id}"):
        url = url.replace(name, "1")
    url = url.replace("{interaction_id}", "1").replace("{attachment_id}", "1")
    url = url.replace("{merge_id}", "1").replace("{other_id}", "1")
    url = url.replace("{list_id}", "1").replace("{item_id}", "1").replace("{view_id}", "1")
    url = url.replace("{template_id}", "1")
    kwargs: dict[str, Any] = {}
    if reads_json:
        body = VALID_BODIES[(method, path)]
        kwargs = {"data": json.dumps(body), "content_type": "application/json"}
    if path.endswith("/attachments"):  # multipart: a valid file, so only the query is wrong
        kwargs = {"data": {"files": SimpleUploadedFile("a.txt", b"words")}}
    elif (method, path) in VALID_FILES:
        files = VALID_FILES[(method, path)].items()
        kwargs = {"data": {name: SimpleUploadedFile(name, data) for name, data in files}}
    response = getattr(api_client(admin), method)(f"{url}?onwer_id=7", **kwargs)
    body = assert_problem(response, 422)
    assert body["code"] == "query_parameter_unknown"
    assert [(e["field"], e["value"], e["code"]) for e in body["errors"]] == [
        ("onwer_id", "7", "query_parameter_unknown")
    ]


def test_the_refusal_names_each_unknown_parameter_and_those_the_operation_takes(
    admin: User, api_client: ApiClient
) -> None:
    response = api_client(admin).get("/api/v1/orders?party=1&status=completed&sort=total")
    body = assert_problem(response, 422)
    assert body["detail"] == "unknown query parameters: party, sort"
    assert [e["field"] for e in body["errors"]] == ["party", "sort"]
    assert body["errors"][0]["message"] == (
        "is not a parameter of this operation (it takes cursor, limit, party_id, status)"
    )


def test_an_operation_without_query_parameters_says_it_takes_none(
    admin: User, api_client: ApiClient
) -> None:
    response = api_client(admin).get("/api/v1/analytics/summary?as_of=2024-01-01")
    error = assert_problem(response, 422)["errors"][0]
    assert error["message"] == "is not a parameter of this operation, which takes none"


def test_the_parameters_an_operation_takes_are_still_accepted(
    admin: User, api_client: ApiClient
) -> None:
    party = factories.make_party()
    factories.make_order(party)
    response = api_client(admin).get(f"/api/v1/orders?party_id={party.pk}&limit=5")
    assert response.status_code == 200, response.content
    assert len(response.json()["items"]) == 1


def test_list_parameters_repeated_in_the_query_are_accepted(
    admin: User, api_client: ApiClient
) -> None:
    party = factories.make_party()
    response = api_client(admin).get(
        f"/api/v1/parties/{party.pk}/timeline?kind=order&kind=interaction"
    )
    assert response.status_code == 200, response.content


def test_a_request_without_a_token_is_refused_for_the_token_first() -> None:
    assert_problem(Client().get("/api/v1/parties?onwer_id=7"), 401)
