"""No existence hints across teams: a sales user of team A who sends an e-mail, a phone or an
external id that belongs to team B's party (or to its order or interaction) gets the answer of
any other invalid value, a 422 naming only the field and the value sent, never the other party
or its id, never a 409 or what differs. A clash with a party the user may see is still a 409
that names it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from clientela.commerce.models import Order
from clientela.interactions.models import Interaction
from clientela.parties.models import Party
from tests.api.problems import assert_invalid, assert_problem, send
from tests.api.test_interactions import call
from tests.api.test_orders import bulk, order
from tests.factories import make_interaction, make_order, make_party

pytestmark = pytest.mark.django_db
ApiClient = Callable[[User], Client]
PARTIES = "/api/v1/parties"


@pytest.fixture
def theirs(sales_b: User) -> Party:
    """Team B's customer, with an e-mail, a phone, an external id, an order and a call."""
    party = make_party(
        email="maria@example.com",
        phone="+351912345678",
        external_id="CRM-B",
        owner=sales_b,
        team=sales_b.team,
    )
    make_order(party, external_id="O-B")
    make_interaction(party, external_id="CALL-B")
    return party


@pytest.fixture
def ours(sales_a: User) -> Party:
    return make_party(external_id="CRM-A", owner=sales_a, team=sales_a.team)


def _reveals_nothing(response: Any, party: Party, field: str, value: str) -> None:
    """A 422 like any other invalid value: the field and the value sent, nothing of the party."""
    error = assert_invalid(response, field, value)
    assert error["code"] == "value_unavailable"
    assert "params" not in error
    text = response.content.decode().replace(value, "").replace(field, "")
    assert not re.search(rf"\b{party.pk}\b", text), text
    for word in (party.display_name, "party", "parties", "order", "interaction", "differ"):
        assert word not in text, word


def _person(**fields: object) -> dict[str, object]:
    return {"kind": "person", "given_name": "Ana", **fields}


@pytest.mark.parametrize(
    ("kind", "value"), [("email", "Maria@Example.com"), ("phone", "+351 912 345 678")]
)
def test_another_teams_contact_point_reads_like_any_invalid_value(
    sales_a: User, api_client: ApiClient, theirs: Party, kind: str, value: str
) -> None:
    body = _person(contact_points=[{"kind": kind, "value": value}])
    response = send(api_client(sales_a), "POST", PARTIES, body)
    _reveals_nothing(response, theirs, "contact_points.0.value", value)
    assert Party.objects.count() == 1


def test_another_teams_external_id_reads_like_any_invalid_value_on_create_and_update(
    sales_a: User, api_client: ApiClient, theirs: Party, ours: Party
) -> None:
    client = api_client(sales_a)
    created = send(client, "POST", PARTIES, _person(external_id="CRM-B"))
    _reveals_nothing(created, theirs, "external_id", "CRM-B")
    updated = send(client, "PATCH", f"{PARTIES}/{ours.pk}", {"external_id": "CRM-B"})
    _reveals_nothing(updated, theirs, "external_id", "CRM-B")
    ours.refresh_from_db()
    assert ours.external_id == "CRM-A"


def test_another_teams_order_external_id_reads_like_any_invalid_value(
    sales_a: User, api_client: ApiClient, theirs: Party, ours: Party
) -> None:
    client = api_client(sales_a)
    one = send(client, "POST", "/api/v1/orders", order(ours, "O-B"))
    _reveals_nothing(one, theirs, "external_id", "O-B")
    many = bulk(client, json.dumps(order(ours, "O-B")) + "\n")
    error = assert_problem(many, 422)["errors"][0]
    assert (error["line"], error["field"], error["code"]) == (1, "external_id", "value_unavailable")
    assert "params" not in error
    upsert = bulk(client, json.dumps(order(ours, "O-B")) + "\n", "?upsert=true")
    assert assert_problem(upsert, 422)["errors"][0]["code"] == "value_unavailable"
    assert Order.objects.get(external_id="O-B").party == theirs


def test_another_teams_order_external_id_is_a_plain_rejected_row_in_an_import(
    sales_a: User,
    theirs: Party,
    ours: Party,
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings.HOME = tmp_path / "home"
    file = tmp_path / "orders.csv"
    file.write_text("external_id,party_external_id,ordered_at,total,currency\n")
    with file.open("a") as out:
        out.write("O-B,CRM-A,2024-03-01T10:00:00Z,5,EUR\n")
    with pytest.raises(SystemExit):
        call_command("import", "orders", str(file), "--as", sales_a.email)
    err = capsys.readouterr().err
    assert "row 2, column 'external_id', value 'O-B': cannot be used" in err
    assert str(theirs.pk) not in err
    assert "differ" not in err


def test_another_teams_interaction_external_id_reads_like_any_invalid_value(
    sales_a: User, api_client: ApiClient, theirs: Party, ours: Party
) -> None:
    response = send(
        api_client(sales_a), "POST", "/api/v1/interactions", call(ours, external_id="CALL-B")
    )
    _reveals_nothing(response, theirs, "external_id", "CALL-B")
    assert Interaction.objects.count() == 1


def test_a_clash_with_a_party_the_user_sees_is_still_a_409_naming_it(
    sales_b: User, api_client: ApiClient, theirs: Party
) -> None:
    client = api_client(sales_b)
    body = _person(contact_points=[{"kind": "email", "value": "maria@example.com"}])
    contact = assert_problem(send(client, "POST", PARTIES, body), 409)
    assert contact["errors"][0]["params"] == {"party": theirs.pk}
    other = make_party(owner=sales_b, team=sales_b.team)
    changed = assert_problem(send(client, "POST", "/api/v1/orders", order(other, "O-B")), 409)
    assert changed["code"] == "order_external_id_conflict"
    assert "party_id" in changed["errors"][0]["params"]["changed"]
    again = send(client, "POST", "/api/v1/interactions", call(other, external_id="CALL-B"))
    assert assert_problem(again, 409)["code"] == "interaction_external_id_taken"
    external = send(client, "POST", PARTIES, _person(external_id="CRM-B"))
    assert assert_invalid(external, "external_id")["code"] == "external_id_in_use"
