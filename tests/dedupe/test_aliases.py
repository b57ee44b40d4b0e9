"""A merged party's external id stays an alias of the survivor, which imports still recognise
(issue 20): through the API merge, the web merge and `clientela dedupe --merge-exact`."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from clientela.commerce.models import Order
from clientela.consent.services import erase_party
from clientela.consent.services.privacy import find_party
from clientela.dedupe.models import DuplicateCandidate
from clientela.dedupe.services import scan_duplicates
from clientela.imports.services import ImportOptions, import_file
from clientela.interactions.models import Interaction
from clientela.parties.models import Party, PartyAlias
from clientela.parties.queries import parties_by_external_id, search_parties
from tests.factories import aware, make_party

pytestmark = pytest.mark.django_db
ApiClient = Callable[[User], Client]


@pytest.fixture(autouse=True)
def _private_home(settings: Settings, tmp_path: Path) -> None:
    settings.HOME = tmp_path / "home"


def _import(kind: str, path: Path, by: User, *, upsert: bool = False) -> tuple[int, int, list[str]]:
    summary = import_file(path, options=ImportOptions(kind=kind, upsert=upsert), by=by)
    return summary.created, summary.updated, [p.code for p in summary.problems]


def test_an_api_merge_keeps_the_other_external_id_as_an_alias_that_a_party_import_updates(
    manager: User, api_client: ApiClient, tmp_path: Path
) -> None:
    a = make_party(given_name="Maria", family_name="Silva", external_id="CRM-1")
    b = make_party(given_name="Maria", family_name="Sliva", external_id="SHOP-9")
    response = api_client(manager).post(
        f"/api/v1/parties/{a.pk}/merge", {"other_id": b.pk}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert Party.objects.get(pk=a.pk).external_id == "CRM-1"
    assert Party.objects.get(pk=b.pk).external_id is None
    assert list(PartyAlias.objects.values_list("party_id", "external_id")) == [(a.pk, "SHOP-9")]
    path = tmp_path / "p.csv"
    path.write_text("external_id,given_name,family_name,language\nSHOP-9,Maria,Silva,pt\n")
    created, updated, problems = _import("parties", path, manager, upsert=True)
    assert (created, updated, problems) == (0, 1, [])
    assert Party.objects.get(pk=a.pk).language == "pt"
    assert Party.objects.filter(archived_at=None).count() == 1


def test_choosing_the_other_external_id_keeps_the_survivors_own_as_the_alias(
    manager: User, api_client: ApiClient
) -> None:
    a = make_party(given_name="Maria", family_name="Silva", external_id="CRM-1")
    b = make_party(given_name="Maria", family_name="Sliva", external_id="SHOP-9")
    api_client(manager).post(
        f"/api/v1/parties/{a.pk}/merge",
        {"other_id": b.pk, "choices": {"external_id": "other"}},
        content_type="application/json",
    )
    assert Party.objects.get(pk=a.pk).external_id == "SHOP-9"
    assert PartyAlias.objects.get().external_id == "CRM-1"
    assert parties_by_external_id(Party.objects.all(), ["CRM-1", "SHOP-9", "X"]) == {
        "CRM-1": a.pk,
        "SHOP-9": a.pk,
    }


def test_a_web_merge_leaves_an_alias_that_an_order_import_finds(
    manager: User, web_client: Callable[[User], Client], tmp_path: Path
) -> None:
    a = make_party(
        given_name="Maria", family_name="Silva", phone="+351912345678", external_id="CRM-1"
    )
    make_party(given_name="Maria", family_name="Sliva", phone="+351912345678", external_id="S-9")
    scan_duplicates()
    pair = DuplicateCandidate.objects.get()
    survivor = "a" if pair.party_a_id == a.pk else "b"
    response = web_client(manager).post(f"/duplicates/{pair.pk}/merge/", {"survivor": survivor})
    assert response.status_code == 302
    path = tmp_path / "o.csv"
    path.write_text(
        "external_id,party_external_id,ordered_at,total,currency\n"
        "O1,S-9,2024-03-01T10:00:00Z,20,EUR\n"
    )
    assert _import("orders", path, manager) == (1, 0, [])
    assert Order.objects.get().party_id == a.pk


def test_merge_exact_leaves_an_alias_that_an_interaction_import_finds(
    admin: User, tmp_path: Path
) -> None:
    older = make_party(
        given_name="Maria", family_name="Silva", phone="+351912345678", external_id="CRM-1"
    )
    newer = make_party(
        given_name="Maria", family_name="Silva", phone="+351912345678", external_id="SHOP-9"
    )
    Party.objects.filter(pk=older.pk).update(created_at=aware(2020, 1, 1))
    Party.objects.filter(pk=newer.pk).update(created_at=aware(2024, 1, 1))
    out = StringIO()
    call_command("dedupe", "--merge-exact", "--json", stdout=out)
    assert json.loads(out.getvalue())["merged"] == 1
    path = tmp_path / "i.csv"
    path.write_text(
        "customer_id,channel,direction,occurred_at,subject\n"
        "SHOP-9,email,outbound,2024-03-01T10:00:00Z,Welcome\n"
    )
    assert _import("interactions", path, admin) == (1, 0, [])
    assert Interaction.objects.get().party_id == older.pk
    assert find_party("SHOP-9").pk == older.pk
    assert list(search_parties(admin, q="SHOP-9")) == [Party.objects.get(pk=older.pk)]


def test_no_other_party_takes_an_alias_as_its_external_id(
    manager: User, api_client: ApiClient
) -> None:
    a = make_party(given_name="Maria", family_name="Silva", external_id="CRM-1")
    PartyAlias.objects.create(party=a, external_id="SHOP-9")
    response = api_client(manager).post(
        "/api/v1/parties",
        {"kind": "person", "given_name": "Rui", "external_id": "SHOP-9"},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["code"] == "external_id_in_use"


def test_erasure_removes_the_persons_aliases(admin: User) -> None:
    a = make_party(given_name="Maria", family_name="Silva", external_id="CRM-1")
    PartyAlias.objects.create(party=a, external_id="SHOP-9")
    erase_party(a, by=admin)
    assert not PartyAlias.objects.exists()
