from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest

from clientela.accounts.models import User
from clientela.commerce.models import Order
from clientela.core.cells import neutralise, restore
from clientela.imports.services.exporting import write_export
from clientela.interactions.models import Interaction
from clientela.parties.models import Party, PartyChange
from tests.factories import aware, make_interaction, make_order, make_party
from tests.imports.conftest import Importer


@pytest.mark.parametrize(
    "value", ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "'=x", "plain", "-12.50", ""]
)
def test_a_neutralised_cell_comes_back_as_it_was(value: str) -> None:
    assert restore(neutralise(value)) == value


def test_formula_cells_are_neutralised_and_plain_numbers_are_not() -> None:
    assert neutralise('=HYPERLINK("http://x")').startswith("'=")
    assert neutralise("@SUM(1)") == "'@SUM(1)"
    assert neutralise("+351 912 345 678") == "'+351 912 345 678"
    assert neutralise("-12.50") == "-12.50"


@pytest.mark.django_db
def test_an_exported_formula_cell_cannot_run_in_a_spreadsheet(admin: User) -> None:
    make_party(given_name="=cmd|' /C calc'!A0", family_name="Silva")
    out = io.StringIO()
    write_export("parties", admin, out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["given_name"] == "'=cmd|' /C calc'!A0"


@pytest.mark.django_db
def test_parties_exported_then_imported_give_back_the_same_data(
    admin: User, run_import: Importer, tmp_path: Path
) -> None:
    make_party(
        given_name="=Ana",
        family_name="Silva",
        email="ana@example.com",
        phone="+351912345678",
        external_id="C1",
        notes="line one\nline two",
        language="pt",
    )
    make_party(kind="organization", organization_name="@Acme", external_id="C2")
    path = tmp_path / "parties.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        assert write_export("parties", admin, out) == 2
    before = _parties()
    Party.objects.all().delete()
    summary = run_import("parties", path)
    assert (summary.created, summary.rejected) == (2, 0), summary.problems
    assert _parties() == before


@pytest.mark.django_db
def test_importing_an_export_into_the_same_database_changes_nothing(
    admin: User, run_import: Importer, tmp_path: Path
) -> None:
    make_party(given_name="Ana", email="ana@example.com", external_id="C1")
    path = tmp_path / "parties.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        write_export("parties", admin, out)
    changes = PartyChange.objects.count()
    summary = run_import("parties", path)
    assert (summary.unchanged, summary.created, summary.updated) == (1, 0, 0)
    assert PartyChange.objects.count() == changes


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_orders_and_interactions_exported_then_imported_give_back_the_same_data(
    fmt: str, admin: User, run_import: Importer, tmp_path: Path
) -> None:
    party = make_party(external_id="C1", email="ana@example.com")
    make_order(party, external_id="=O1", total=Decimal("10.50"), ordered_at=aware(2024, 3, 1))
    make_interaction(party, external_id="I1", subject="-Called", occurred_at=aware(2024, 3, 2))
    files = {}
    for kind in ("orders", "interactions"):
        files[kind] = tmp_path / f"{kind}.{fmt}"
        with files[kind].open("w", encoding="utf-8", newline="") as out:
            write_export(kind, admin, out, fmt=fmt)
    orders = list(Order.objects.values_list("external_id", "party_id", "ordered_at", "total"))
    items = list(
        Interaction.objects.values_list("external_id", "party_id", "subject", "occurred_at")
    )
    Order.objects.all().delete()
    Interaction.objects.all()._raw_delete(Interaction.objects.db)  # append-only: test clean-up
    assert run_import("orders", files["orders"]).created == 1
    assert run_import("interactions", files["interactions"]).created == 1
    assert (
        list(Order.objects.values_list("external_id", "party_id", "ordered_at", "total")) == orders
    )
    assert (
        list(Interaction.objects.values_list("external_id", "party_id", "subject", "occurred_at"))
        == items
    )


def _parties() -> list[tuple[object, ...]]:
    return [
        (
            p.kind,
            p.given_name,
            p.family_name,
            p.organization_name,
            p.external_id,
            p.notes,
            p.language,
            sorted(p.contact_points.values_list("kind", "normalized")),
            sorted(p.roles.values_list("role", flat=True)),
        )
        for p in Party.objects.order_by("external_id")
    ]
