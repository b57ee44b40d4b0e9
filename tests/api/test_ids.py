"""Ids no database row can have (≥ 2**63, or below 1) in bodies, list filters and import files:
a 422 naming the field, or a rejected row, never a 500. The OpenAPI document declares the bound
of every id a client sends, so the rule is kept for endpoints still to come."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from clientela.commerce.models import Order
from clientela.core.ids import MAX_ID
from clientela.interactions.models import Interaction
from clientela.segments.models import Segment
from tests.api.problems import assert_invalid, send
from tests.factories import make_party

ApiClient = Callable[[User], Client]
BIG = 2**63

# (list, filter) for every list that takes an id in its query string
FILTERS = [
    ("/api/v1/parties", "owner_id"),
    ("/api/v1/parties", "team_id"),
    ("/api/v1/orders", "party_id"),
    ("/api/v1/interactions", "party_id"),
    ("/api/v1/duplicates", "party_id"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "name"), FILTERS)
@pytest.mark.parametrize(("value", "code"), [(BIG, "less_than_equal"), (-1, "greater_than_equal")])
def test_an_id_no_row_can_have_in_a_list_filter_is_a_422(
    admin: User, api_client: ApiClient, url: str, name: str, value: int, code: str
) -> None:
    response = api_client(admin).get(url, {name: value})
    assert assert_invalid(response, name, str(value))["code"] == code


def _bodies(party_id: int) -> Iterator[tuple[str, str, dict[str, Any], str]]:
    """(method, url, body, field) for every body that carries an id, each with BIG in it."""
    person = {"kind": "person", "given_name": "Ana"}
    for name in ("owner_id", "team_id"):
        yield "POST", "/api/v1/parties", {**person, name: BIG}, name
        yield "PATCH", f"/api/v1/parties/{party_id}", {name: BIG}, name
    org = {"kind": "organization", "organization_name": "ACME", "parent_id": BIG}
    yield "POST", "/api/v1/parties", org, "parent_id"
    works = {**person, "affiliations": [{"organization_id": BIG}]}
    yield "POST", "/api/v1/parties", works, "affiliations.0.organization_id"
    call = {"party_id": BIG, "channel": "phone", "direction": "inbound"}
    yield "POST", "/api/v1/interactions", call, "party_id"
    yield (
        "POST",
        "/api/v1/interactions",
        {**call, "party_id": party_id, "corrects_id": BIG},
        ("corrects_id"),
    )
    yield "POST", "/api/v1/privacy-requests", {"party_id": BIG, "kind": "access"}, "party_id"
    yield "POST", f"/api/v1/parties/{party_id}/merge", {"other_id": BIG}, "other_id"


@pytest.mark.django_db
def test_an_id_no_row_can_have_in_a_body_is_a_422_naming_it(
    admin: User, api_client: ApiClient
) -> None:
    client = api_client(admin)
    party = make_party()
    segment = Segment.objects.create(name="List", kind="static", owner=admin)
    cases = [
        *_bodies(party.pk),
        ("POST", f"/api/v1/segments/{segment.pk}/static-members", {"party_id": BIG}, "party_id"),
    ]
    for method, url, body, field in cases:
        error = assert_invalid(send(client, method, url, body), field, BIG)
        assert error["code"] == "less_than_equal", (url, error)
    assert not Interaction.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["orders", "interactions"])
def test_an_import_row_naming_a_party_id_no_row_can_have_is_rejected(
    admin: User, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    settings.HOME = tmp_path / "home"
    file = tmp_path / f"{kind}.csv"
    if kind == "orders":
        file.write_text(
            f"external_id,party_id,ordered_at,total,currency\nO1,{BIG},2024-03-01T10:00:00Z,5,EUR\n"
        )
    else:
        file.write_text(
            f"party_id,channel,direction,occurred_at\n{BIG},phone,inbound,2024-03-01T10:00:00Z\n"
        )
    with pytest.raises(SystemExit) as exit_status:
        call_command("import", kind, str(file))
    assert exit_status.value.code == 1
    err = capsys.readouterr().err
    assert f"row 2, column 'party_id', value '{BIG}': is not a party you can see" in err
    assert not Order.objects.exists()
    assert not Interaction.objects.exists()


def _ids_sent(schema: dict[str, Any], components: dict[str, Any], name: str) -> Iterator[Any]:
    """Every integer schema that an id named `name` (…_id, id) may take, nested ones too."""
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    for option in schema.get("anyOf", []):
        yield from _ids_sent(option, components, name)
    if schema.get("type") == "integer" and (name == "id" or name.endswith("_id")):
        yield schema
    for key, sub in schema.get("properties", {}).items():
        yield from _ids_sent(sub, components, key)
    if "items" in schema:
        yield from _ids_sent(schema["items"], components, name)


@pytest.mark.django_db
def test_every_id_a_client_sends_outside_the_path_declares_its_bounds(
    admin: User, api_client: ApiClient
) -> None:
    document = json.loads(api_client(admin).get("/api/v1/openapi.json").content)
    components = document["components"]["schemas"]
    found = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            sent = [
                (p["name"], p["schema"])
                for p in operation.get("parameters", [])
                if p["in"] != "path"  # a path id that no row has is simply not found (404)
            ]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                sent.append(("body", body["schema"]))
            for name, schema in sent:
                for id_schema in _ids_sent(schema, components, name):
                    found += 1
                    assert id_schema.get("maximum") == MAX_ID, (method, path, name)
                    assert id_schema.get("minimum") == 1, (method, path, name)
    assert found >= 14  # the ids listed in the tests above, and any added later


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("/api/v1/parties", [BIG]),
        ("/api/v1/segments", [-1]),
        ("/api/v1/orders", ["2024-01-01T00:00:00+00:00", BIG]),
        ("/api/v1/duplicates", [100, BIG]),
    ],
)
def test_a_cursor_carrying_an_id_no_row_can_have_is_no_cursor_of_ours(
    admin: User, api_client: ApiClient, url: str, key: list[object]
) -> None:
    cursor = base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")
    response = api_client(admin).get(url, {"cursor": cursor})
    assert assert_invalid(response, "cursor", cursor)["code"] == "cursor_invalid"
