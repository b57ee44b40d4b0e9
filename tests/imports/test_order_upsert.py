"""Orders sent again: unchanged when the same, a conflict when not, replaced under upsert, and
only within what the user may see."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from clientela.accounts.models import User
from clientela.commerce.models import Order
from clientela.imports.models import ImportRun
from tests.factories import make_order, make_party
from tests.imports.conftest import Importer
from tests.imports.test_orders import (
    CHANGED,
    CONFLICT,
    FIRST,
    HEADER,
    ORIGINAL,
    Writer,
    stored_o1,
)


@pytest.mark.django_db
@pytest.mark.parametrize("path", CHANGED)
def test_the_same_order_imported_again_is_unchanged_on_every_path(
    path: str, write: Writer, run_import: Importer
) -> None:
    make_party(external_id="C1")
    again = CHANGED[path]
    assert run_import("orders", write("a.csv", HEADER + again)).created == 1
    for upsert in (False, True):
        summary = run_import("orders", write("b.csv", HEADER + again), upsert=upsert)
        assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 1)


@pytest.mark.django_db
def test_upsert_never_replaces_the_order_of_a_party_the_user_cannot_see(
    write: Writer, run_import: Importer, sales_a: User, sales_b: User
) -> None:
    theirs = make_party(external_id="C9", team=sales_b.team)
    make_order(theirs, external_id="O1", ordered_at=ORIGINAL[0], channel="web")
    make_party(external_id="C1", team=sales_a.team)
    path = write("o.csv", HEADER + CHANGED["column path"])
    summary = run_import("orders", path, by=sales_a, upsert=True)
    assert (summary.updated, summary.rejected) == (0, 1)
    assert summary.problems[0].code == "value_unavailable"  # their order is not revealed
    assert Order.objects.get().party == theirs


@pytest.mark.django_db
def test_with_upsert_the_last_of_an_external_ids_rows_in_a_file_wins(
    write: Writer, run_import: Importer
) -> None:
    make_party(external_id="C1")
    path = write("o.csv", HEADER + FIRST + CHANGED["row path"] + FIRST)
    summary = run_import("orders", path, upsert=True)
    assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (1, 2, 0, 0)
    assert stored_o1() == ORIGINAL
    refused = run_import("orders", write("p.csv", HEADER + FIRST + CHANGED["row path"]))
    assert (refused.unchanged, refused.rejected) == (1, 1)


@pytest.mark.django_db
def test_order_lines_are_compared_and_replaced_only_when_a_file_gives_them(
    write: Writer, run_import: Importer
) -> None:
    make_party(external_id="C1")
    tea = '{"product": "Tea", "quantity": 2, "unit_price": "24.95"}'
    cup = '{"product": "Cup", "quantity": 1, "unit_price": "49.90"}'
    record = (
        '{"external_id": "O1", "party_external_id": "C1", "ordered_at": "2024-03-01T10:00:00Z",'
        ' "total": "49.90", "currency": "EUR", "status": "completed", "channel": "web"'
    )
    assert run_import("orders", write("a.ndjson", record + f', "lines": [{tea}]}}\n')).created == 1
    # A file without lines says nothing of them: the same order, its lines kept.
    plain = run_import("orders", write("b.csv", HEADER + FIRST), upsert=True)
    assert (plain.unchanged, plain.updated) == (1, 0)
    other = write("c.ndjson", record + f', "lines": [{cup}]}}\n')
    refused = run_import("orders", other)
    assert refused.rejected == 1
    assert CONFLICT in str(refused.problems[0].reason)
    replaced = run_import("orders", other, upsert=True)
    assert replaced.updated == 1
    assert list(Order.objects.get().lines.values_list("product", flat=True)) == ["Cup"]


@pytest.mark.django_db
def test_order_lines_that_are_not_json_are_reported_with_a_column(
    write: Writer, run_import: Importer
) -> None:
    make_party(external_id="C1")
    path = write(
        "o.csv",
        "id,customer_id,ordered_at,total,currency,items\nO1,C1,2024-03-01T10:00:00Z,5,EUR,[{\n",
    )
    summary = run_import("orders", path, overrides={"items": "lines"})
    assert summary.rejected == 1
    problem = summary.problems[0]
    assert (problem.row, problem.column, problem.value) == (2, "items", "[{")
    assert "is not a JSON list of order lines" in str(problem.reason)


@pytest.mark.django_db
def test_the_import_page_offers_upsert_for_orders(
    admin: User, web_client: Callable[[User], Client]
) -> None:
    client = web_client(admin)
    upload = SimpleUploadedFile("orders.csv", (HEADER + FIRST).encode(), content_type="text/csv")
    assert client.post("/imports/", {"kind": "orders", "file": upload}).status_code == 302
    page = client.get(f"/imports/{ImportRun.objects.get().pk}/").content.decode()
    assert 'name="upsert"' in page
