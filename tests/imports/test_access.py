"""Imports and exports never read or write parties the user may not see."""

from __future__ import annotations

import io

import pytest

from clientela.accounts.models import RIGHTS, Right, Role, User
from clientela.commerce.models import Order
from clientela.imports.services.exporting import write_export
from clientela.parties.models import Party
from tests.factories import make_interaction, make_order, make_party
from tests.imports.conftest import Importer, Writer


@pytest.mark.django_db
def test_orders_for_a_party_of_another_team_are_refused(
    write: Writer, run_import: Importer, sales_a: User, sales_b: User
) -> None:
    make_party(external_id="B1", team=sales_b.team, email="b@example.com")
    path = write(
        "o.csv",
        "external_id,customer_id,ordered_at,total,currency\nO1,B1,2024-03-01T10:00:00Z,5,EUR\n",
    )
    summary = run_import("orders", path, by=sales_a)
    assert summary.rejected == 1
    assert summary.problems[0].text() == "is not a party you can see"
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_an_upsert_never_touches_a_party_the_user_cannot_see(
    write: Writer, run_import: Importer, sales_a: User, sales_b: User
) -> None:
    hidden = make_party(given_name="Hidden", team=sales_b.team, email="same@example.com")
    path = write("p.csv", "given_name,email\nMine,same@example.com\n")
    summary = run_import("parties", path, by=sales_a, upsert=True)
    assert summary.updated == 0
    hidden.refresh_from_db()
    assert hidden.given_name == "Hidden"
    # Whatever the create rules say about the address, the hidden party is never named.
    assert all(f"#{hidden.pk}" not in p.text() for p in summary.problems)


@pytest.mark.django_db
def test_a_viewer_cannot_import(write: Writer, run_import: Importer, viewer: User) -> None:
    from clientela.core.errors import Forbidden

    path = write("p.csv", "given_name\nAna\n")
    with pytest.raises(Forbidden):
        run_import("parties", path, by=viewer)
    assert Party.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["parties", "orders", "interactions"])
def test_an_export_holds_only_what_the_user_can_see(
    kind: str, sales_a: User, sales_b: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # By default sales may not export (accounts.models.RIGHTS); a company that lets them still
    # gets only what each one may see.
    monkeypatch.setitem(RIGHTS, Role.SALES, RIGHTS[Role.SALES] | {Right.EXPORT})
    mine = make_party(given_name="Mine", team=sales_a.team, external_id="A1")
    theirs = make_party(given_name="Theirs", team=sales_b.team, external_id="B1")
    for party in (mine, theirs):
        make_order(party, external_id=f"ORD-{party.external_id}")
        make_interaction(party, subject=f"About {party.external_id}")
    out = io.StringIO()
    count = write_export(kind, sales_a, out)
    assert count == 1
    assert "A1" in out.getvalue()
    assert "B1" not in out.getvalue()
