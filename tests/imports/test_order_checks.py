"""The order import's fast checks agree with OrderCreate (the API's rules): they accept only what
it accepts, with the same values, and a file imports as it does row by row."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from pydantic import ValidationError

from clientela.accounts.models import User
from clientela.commerce.models import Order
from clientela.commerce.schemas import OrderCreate
from clientela.imports.services import ImportOptions, ImportSummary, import_rows, read_file
from clientela.imports.services.mapping import ORDERS, build_mapping
from clientela.imports.services.order_checks import OrderValues, compile_fast_check
from clientela.imports.services.order_columns import ColumnCheck, compile_column_check
from tests.factories import api_client, make_party
from tests.imports.conftest import Importer

Writer = Callable[[str, bytes | str], Path]
HEADER = "external_id,customer_id,ordered_at,total,currency,status,channel\n"

# The fast path must agree with OrderCreate: accept exactly what it accepts, with the same values.
CASES = [
    ("2024-03-01T10:00:00Z", "49.90", "EUR", "completed", "web"),
    ("2024-03-01 10:00:00+01:00", "0", "USD", "", ""),
    ("2024-03-01T10:00Z", " 12.5 ", "EUR", "refunded", "store"),
    ("2024-03-01T10:00:00.123456-03:30", "1.500", "BRL", "cancelled", "phone"),
    ("2024-03-01T10:00:00.5Z", "1e2", "EUR", "", ""),
    ("2024-03-01T10:00:00", "1", "EUR", "", ""),
    ("2024-02-30T10:00:00Z", "1", "EUR", "", ""),
    ("1700000000", "1", "EUR", "", ""),
    ("2024-03-01T10:00:00Z", "-1", "EUR", "", ""),
    ("2024-03-01T10:00:00Z", "1.001", "EUR", "", ""),
    ("2024-03-01T10:00:00Z", "NaN", "EUR", "", ""),
    ("2024-03-01T10:00:00Z", "Infinity", "EUR", "", ""),
    ("2024-03-01T10:00:00Z", "1000000000000", "EUR", "", ""),
    ("2024-03-01T10:00:00Z", "1_000", "EUR", "", ""),
    ("2024-03-01T10:00:00Z", "", "EUR", "", ""),
    ("2024-03-01T10:00:00Z", "1", "eur", "", ""),
    ("2024-03-01T10:00:00Z", "1", " EUR ", "", ""),
    ("2024-03-01T10:00:00Z", "1", "EUR", "Completed", ""),
    ("2024-03-01T10:00:00Z", "1", "EUR", " completed", ""),
    ("2024-03-01T10:00:00Z", "1", "EUR", "", "fax"),
    ("2024-03-01T24:00:00Z", "1", "EUR", "", ""),
    ("2024-03-01T10:00:00+25:00", "1", "EUR", "", ""),
    ("2024-03-01t10:00:00z", "1", "EUR", "", ""),
    ("20240301T100000Z", "1", "EUR", "", ""),
    ("2024-03-01T10:00:00Z", "007.50", "EUR", "", ""),
    ("2024-03-01T10:00:00Z", ".5", "EUR", "", ""),
    ("2024-03-01T10:00:00Z", "12.", "EUR", "", ""),
    ("2024-03-01T10:00:00Z", "999999999999.99", "EUR", "", ""),
    ("2024-03-01T10:00:00Z", "1000000000000.00", "EUR", "", ""),
    ("2024-03-01T10:00:00Z", "١٢", "EUR", "", ""),
    ("2024-12-31T23:59:59Z", "3", "EUR", "", ""),
    ("٢٠٢٤-03-01T10:00:00Z", "3", "EUR", "", ""),
]


@pytest.mark.parametrize(("ordered_at", "total", "currency", "status", "channel"), CASES)
def test_the_fast_check_agrees_with_order_create(
    ordered_at: str, total: str, currency: str, status: str, channel: str
) -> None:
    columns = [
        "external_id",
        "party_external_id",
        "ordered_at",
        "total",
        "currency",
        "status",
        "channel",
    ]
    fast = compile_fast_check(build_mapping(ORDERS, columns))
    cells = ["O1", "C1", ordered_at, total, currency, status, channel]
    data = {
        "external_id": "O1",
        "party_external_id": "C1",
        "ordered_at": ordered_at,
        "total": total,
        "currency": currency,
    }
    data |= {k: v for k, v in (("status", status), ("channel", channel)) if v}
    try:
        schema = OrderCreate.model_validate(data)
    except ValidationError:
        schema = None
    verdict = fast(cells)
    if schema is None:
        assert verdict is None  # the fast check never accepts what the API refuses
        return
    if verdict is None:
        return  # the fast check may leave a valid row to OrderCreate: same answer, slower
    assert (*verdict[:2], Decimal(verdict[2]), *verdict[3:6]) == (
        schema.external_id,
        schema.ordered_at,
        schema.total,
        schema.currency,
        schema.status.value,
        schema.channel.value,
    )
    assert str(verdict[2]).isascii()  # stored as text by SQLite: ASCII digits only
    if verdict[7] is not None:  # the text SQLite stores is the UTC time OrderCreate reads
        assert verdict[7] == str(schema.ordered_at.astimezone(UTC).replace(tzinfo=None))
    assert verdict[1].utcoffset() == schema.ordered_at.utcoffset()


# The column-wise check of a whole batch must accept only what the per-row check accepts.
ID_CASES = ["O1", " O1", "O1 ", "'=O1", "O 1", "O" * 100, "O" * 101, "", "\u00a0O1", "Ö1", "'"]


@pytest.mark.parametrize(("ordered_at", "total", "currency", "status", "channel"), CASES)
def test_the_column_check_agrees_with_the_per_row_check(
    ordered_at: str, total: str, currency: str, status: str, channel: str
) -> None:
    mapping = build_mapping(ORDERS, COLUMNS)
    per_row, columns = compile_fast_check(mapping), compile_column_check(mapping)
    assert columns is not None
    good = ["O0", "C0", "2024-01-31T00:00:00Z", "1.00", "EUR", "", ""]
    cells = ["O1", "C1", ordered_at, total, currency, status, channel]
    _assert_column_verdict_matches(columns, per_row, [good, cells])


@pytest.mark.parametrize("value", ID_CASES)
@pytest.mark.parametrize("position", [0, 1])
def test_the_column_check_agrees_on_ids(value: str, position: int) -> None:
    mapping = build_mapping(ORDERS, COLUMNS)
    per_row, columns = compile_fast_check(mapping), compile_column_check(mapping)
    assert columns is not None
    cells = ["O1", "C1", "2024-03-01T10:00:00Z", "5", "EUR", "completed", "web"]
    cells[position] = value
    _assert_column_verdict_matches(columns, per_row, [cells])


def _assert_column_verdict_matches(
    columns: ColumnCheck, per_row: Callable[[list[str]], OrderValues | None], rows: list[list[str]]
) -> None:
    found, bad = columns(rows)
    verdicts = [per_row(r) for r in rows]
    if found is None:
        assert bad  # a refusal names the rows, which then go to the per-row check
        return
    for n, verdict in enumerate(verdicts):
        assert verdict is not None  # never accepts what the per-row check leaves to OrderCreate
        ext, ref, stored, total, currency, status, channel = (column[n] for column in found)
        assert (ext, total, currency, status, channel, ref, stored) == (
            verdict[0],
            str(verdict[2]),
            *verdict[3:8],
        )


COLUMNS = [
    "external_id",
    "party_external_id",
    "ordered_at",
    "total",
    "currency",
    "status",
    "channel",
]


@pytest.mark.django_db
def test_a_file_mixing_common_and_odd_rows_imports_as_it_does_row_by_row(
    write: Writer, run_import: Importer, admin: User
) -> None:
    make_party(external_id="C1")
    make_party(external_id="C2")
    rows = [
        "O1,C1,2024-03-01T10:00:00Z,49.90,EUR,completed,web",
        "O2,C2,2024-03-01 11:00:00+01:00,5,EUR,,",  # an offset: the per-row check
        "O3,C1,2024-02-30T10:00:00Z,5,EUR,,",  # no such day
        "",  # a blank line
        "O4,C9,2024-03-01T10:00:00Z,5,EUR,,",  # no such customer
        "O5,C2,2024-03-01T10:00:00Z, 7.5 ,eur,,",  # OrderCreate strips; the currency is lower case
        "O6,C2,2024-03-01T10:00:00Z,1.001,EUR,,",  # too many decimals
        '"O7",C1,"2024-03-01T10:00:00Z",3,USD,refunded,"store"',
        "O8,C1,2024-03-01T10:00:00Z,3,USD,refunded,store,extra",
        "'=O9,C1,2024-03-01T10:00:00Z,3,USD,,",  # a neutralised formula cell
    ]
    path = write("orders.csv", HEADER + "\n".join(rows) + "\n")
    row_by_row = _import_row_by_row(path, admin)
    summary = run_import("orders", path, skip_invalid=True, rejects=path.with_suffix(".rej"))
    assert (summary.created, summary.unchanged, summary.rejected) == (
        row_by_row.created,
        row_by_row.unchanged,
        row_by_row.rejected,
    )
    assert summary.problems == row_by_row.problems
    assert sorted(Order.objects.values_list("external_id", flat=True)) == [
        "=O9",
        "O1",
        "O2",
        "O5",
        "O7",
    ]
    again = run_import("orders", path, skip_invalid=True, rejects=path.with_suffix(".rej2"))
    assert (again.created, again.unchanged, again.rejected) == (0, 5, summary.rejected)


def _import_row_by_row(path: Path, by: User) -> ImportSummary:
    """The same import through the rows one at a time (the path a preview takes), rolled back."""
    options = ImportOptions(kind="orders", dry_run=True)
    with path.open("rb") as binary:
        table, mapping = read_file(binary, name=path.name, options=options)
        table.rows = iter(list(table.rows))
        return import_rows(table, mapping, options=options, by=by)


@pytest.mark.django_db
def test_a_fast_imported_order_is_stored_exactly_as_the_api_stores_it(
    write: Writer, run_import: Importer, admin: User
) -> None:
    party = make_party(external_id="C1")
    body = {
        "external_id": "API-1",
        "party_id": party.pk,
        "ordered_at": "2024-03-01T10:00:00Z",
        "total": "007.50",
        "currency": "EUR",
        "status": "refunded",
        "channel": "store",
    }
    response = api_client(admin).post("/api/v1/orders", data=body, content_type="application/json")
    assert response.status_code == 201, response.content
    path = write("orders.csv", HEADER + "CSV-1,C1,2024-03-01T10:00:00Z,007.50,EUR,refunded,store\n")
    assert run_import("orders", path).created == 1
    # typeof() shows SQLite's storage class; PostgreSQL's columns are typed, so no need there.
    types = ", typeof(ordered_at), typeof(total)" if connection.vendor == "sqlite" else ""
    columns = f"party_id, ordered_at, total, currency, status, channel{types}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM commerce_order ORDER BY external_id")  # noqa: S608  (a constant)
        from_api, from_file = cursor.fetchall()
    assert from_file == from_api
    api_order, file_order = (
        Order.objects.get(external_id="API-1"),
        Order.objects.get(external_id="CSV-1"),
    )
    for name in ("party_id", "ordered_at", "total", "currency", "status", "channel"):
        assert getattr(file_order, name) == getattr(api_order, name), name
    assert (file_order.total, file_order.ordered_at) == (
        Decimal("7.50"),
        datetime(2024, 3, 1, 10, tzinfo=UTC),
    )
