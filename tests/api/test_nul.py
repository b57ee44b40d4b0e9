"""A NUL character anywhere in the API's input (a JSON body, a query string, an NDJSON line) is a
422 with the code text_nul naming the field, and nothing is written: PostgreSQL can neither store
nor compare one, so it used to be a 500 there."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.commerce.models import Order
from clientela.consent.models import ConsentRecord, PrivacyRequest
from clientela.interactions.models import Interaction
from clientela.parties.models import Party
from clientela.segments.models import Segment
from tests.api.problems import assert_invalid, assert_problem, send
from tests.api.test_orders import bulk, order
from tests.factories import make_party

pytestmark = pytest.mark.django_db
ApiClient = Callable[[User], Client]
NUL = "\x00"


def _bodies(party: Party) -> Iterator[tuple[str, str, dict[str, Any], str]]:
    """(method, url, body, field named) for a NUL in each kind of place a body holds text."""
    person = {"kind": "person", "given_name": "Ana"}
    yield "POST", "/api/v1/parties", {**person, "given_name": f"A{NUL}na"}, "given_name"
    point = {"kind": "email", "value": f"ana{NUL}@example.com"}
    yield (
        "POST",
        "/api/v1/parties",
        {**person, "contact_points": [point]},
        ("contact_points.0.value"),
    )
    yield "POST", "/api/v1/parties", {**person, "tags": ["ok", f"{NUL}=1"]}, "tags.1"
    yield "POST", "/api/v1/parties", {**person, "custom": {f"a{NUL}b": 1}}, "custom.a\\0b"
    yield "PATCH", f"/api/v1/parties/{party.pk}", {"notes": f"{NUL}=1"}, "notes"
    call = {"party_id": party.pk, "channel": "phone", "direction": "inbound"}
    yield "POST", "/api/v1/interactions", {**call, "subject": NUL}, "subject"
    line = {"product": f"Tea{NUL}", "quantity": 1, "unit_price": 2}
    yield "POST", "/api/v1/orders", order(party, f"O{NUL}"), "external_id"
    yield "POST", "/api/v1/orders", order(party, lines=[line]), "lines.0.product"
    yield "POST", "/api/v1/segments", {"name": f"{NUL}VIP", "rules": {"all": []}}, "name"
    rule = {"all": [{"field": "tag", "op": "eq", "value": f"v{NUL}"}]}
    yield "POST", "/api/v1/segments/preview", {"rules": rule}, "rules.all.0.value"
    request = {"party_id": party.pk, "kind": "access", "note": NUL}
    yield "POST", "/api/v1/privacy-requests", request, "note"
    yield "PATCH", f"/api/v1/parties/{party.pk}/preferences", {"topics": [NUL]}, "topics.0"
    merge = {"other_id": party.pk, "choices": {f"given{NUL}": "other"}}
    yield "POST", f"/api/v1/parties/{party.pk}/merge", merge, "choices.given\\0"


def test_a_nul_anywhere_in_a_body_is_a_422_naming_the_field(
    manager: User, api_client: ApiClient
) -> None:
    client = api_client(manager)
    party = make_party(given_name="Rui")
    for method, url, body, field in _bodies(party):
        error = assert_invalid(send(client, method, url, body), field)
        assert error["code"] == "text_nul", (url, error)
        assert NUL in error["value"]
    party.refresh_from_db()
    assert (party.given_name, party.notes) == ("Rui", "")
    assert Party.objects.count() == 1
    for model in (Interaction, Order, Segment, PrivacyRequest, ConsentRecord):
        assert not model.objects.exists()


def test_a_public_sign_up_with_a_nul_is_a_422(client: Client) -> None:
    body = {"email": "ana@example.com", "name": f"Ana{NUL}", "wording": {"text": "Yes."}}
    response = send(client, "POST", "/api/v1/public/signups", body)
    assert assert_invalid(response, "name")["code"] == "text_nul"
    assert not Party.objects.exists()


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/parties", "q"),
        ("/api/v1/parties", "tag"),
        ("/api/v1/orders", "cursor"),
        ("/api/v1/duplicates", "status"),
    ],
)
def test_a_nul_in_a_query_string_is_a_422_naming_the_parameter(
    manager: User, api_client: ApiClient, url: str, name: str
) -> None:
    response = api_client(manager).get(url, {name: f"x{NUL}"})
    assert assert_invalid(response, name, f"x{NUL}")["code"] == "text_nul"


def test_a_nul_in_an_ndjson_line_refuses_the_line_naming_it(
    manager: User, api_client: ApiClient
) -> None:
    party = make_party(external_id="C1")
    lines = [order(party, "B-1"), order(party, "B-2", currency=f"EUR{NUL}")]
    response = bulk(api_client(manager), "".join(json.dumps(o) + "\n" for o in lines))
    error = assert_problem(response, 422)["errors"][0]
    assert (error["line"], error["field"], error["code"]) == (2, "currency", "text_nul")
    assert not Order.objects.exists()
