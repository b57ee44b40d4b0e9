from __future__ import annotations

from datetime import UTC
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from clientela.commerce.models import Order
from clientela.commerce.schemas import OrderCreate
from clientela.imports.mapping import ORDERS, build_mapping
from clientela.imports.orders import compile_fast_check
from tests.factories import make_party
from tests.imports.conftest import Importer

HEADER = "external_id,customer_id,ordered_at,total,currency,status,channel\n"


@pytest.mark.django_db
def test_orders_find_their_party_by_external_id_and_are_created(
    write: object, run_import: Importer
) -> None:
    party = make_party(external_id="C1")
    path = write("orders.csv", HEADER + "O1,C1,2024-03-01T10:00:00Z,49.90,EUR,completed,web\n")  # type: ignore[operator]
    summary = run_import("orders", path)
    assert (summary.created, summary.rejected) == (1, 0)
    order = Order.objects.get()
    assert (order.party, order.total, order.currency, order.channel) == (
        party,
        Decimal("49.90"),
        "EUR",
        "web",
    )
    assert order.ordered_at.isoformat() == "2024-03-01T10:00:00+00:00"


@pytest.mark.django_db
def test_orders_find_their_party_by_e_mail_in_any_case(write: object, run_import: Importer) -> None:
    party = make_party(email="ana@example.com")
    path = write(
        "orders.csv",
        "Order number;E-mail;Date;Amount;Currency\n"  # type: ignore[operator]
        "O1;ANA@Example.com;2024-03-01 10:00+01:00;10;EUR\n",
    )
    summary = run_import("orders", path)
    assert summary.created == 1
    assert Order.objects.get().party == party


@pytest.mark.django_db
def test_the_same_orders_file_twice_changes_nothing(write: object, run_import: Importer) -> None:
    make_party(external_id="C1")
    path = write(
        "orders.csv",
        HEADER + "O1,C1,2024-03-01T10:00:00Z,5,EUR,,\n"  # type: ignore[operator]
        "O2,C1,2024-03-02T10:00:00Z,6,EUR,,\n",
    )
    run_import("orders", path)
    again = run_import("orders", path)
    assert (again.created, again.unchanged, again.rejected) == (0, 2, 0)
    assert Order.objects.count() == 2


@pytest.mark.django_db
def test_an_invalid_row_means_nothing_is_written_and_every_problem_is_reported(
    write: object, run_import: Importer
) -> None:
    make_party(external_id="C1")
    path = write(
        "orders.csv",
        HEADER  # type: ignore[operator]
        + "O1,C1,2024-03-01T10:00:00Z,5,EUR,,\n"
        + "O2,C1,2024-03-01T10:00:00,5.001,EUU,shipped,\n"
        + "O3,NOPE,2024-03-01T10:00:00Z,5,EUR,,\n",
    )
    summary = run_import("orders", path)
    assert not summary.written
    assert Order.objects.count() == 0
    found = {(p.row, p.column) for p in summary.problems}
    assert {
        (3, "ordered_at"),
        (3, "total"),
        (3, "currency"),
        (3, "status"),
        (4, "customer_id"),
    } <= found
    total = next(p for p in summary.problems if p.column == "total")
    assert total.value == "5.001"
    assert "more than two decimals" in total.reason


@pytest.mark.django_db
def test_skip_invalid_writes_the_good_rows_and_a_rejects_file_that_imports_once_fixed(
    write: object, run_import: Importer, tmp_path: Path
) -> None:
    make_party(external_id="C1")
    path = write(
        "orders.csv",
        HEADER + "O1,C1,2024-03-01T10:00:00Z,5,EUR,,\n"  # type: ignore[operator]
        "O2,C1,2024-03-01T10:00:00Z,abc,EUR,,\n",
    )
    rejects = tmp_path / "rejects.csv"
    summary = run_import("orders", path, skip_invalid=True, rejects=rejects)
    assert (summary.created, summary.rejected, summary.written) == (1, 1, True)
    text = rejects.read_text()
    assert text.splitlines()[0].endswith(",_row,_errors")
    assert "O2,C1" in text
    assert ",3,total:" in text
    fixed = write("fixed.csv", text.replace(",abc,", ",7.50,"))  # type: ignore[operator]
    again = run_import("orders", fixed)
    assert (again.created, again.rejected) == (1, 0)
    assert Order.objects.get(external_id="O2").total == Decimal("7.50")


@pytest.mark.django_db
def test_an_external_id_used_by_another_order_is_refused(
    write: object, run_import: Importer
) -> None:
    make_party(external_id="C1")
    run_import("orders", write("a.csv", HEADER + "O1,C1,2024-03-01T10:00:00Z,5,EUR,,\n"))  # type: ignore[operator]
    summary = run_import("orders", write("b.csv", HEADER + "O1,C1,2024-03-01T10:00:00Z,9,EUR,,\n"))  # type: ignore[operator]
    assert summary.rejected == 1
    assert "already used by a different order" in summary.problems[0].reason


@pytest.mark.django_db
def test_a_repeated_row_in_one_file_is_unchanged_and_a_clashing_one_refused(
    write: object, run_import: Importer
) -> None:
    make_party(external_id="C1")
    path = write(
        "orders.csv",
        HEADER
        + "O1,C1,2024-03-01T10:00:00Z,5,EUR,,\n" * 2  # type: ignore[operator]
        + "O1,C1,2024-03-01T10:00:00Z,6,EUR,,\n",
    )
    summary = run_import("orders", path, skip_invalid=True, rejects=path.with_name("r.csv"))
    assert (summary.created, summary.unchanged, summary.rejected) == (1, 1, 1)
    assert summary.problems[0].row == 4


@pytest.mark.django_db
def test_dry_run_reports_the_counts_and_writes_nothing(write: object, run_import: Importer) -> None:
    make_party(external_id="C1")
    path = write("orders.csv", HEADER + "O1,C1,2024-03-01T10:00:00Z,5,EUR,,\n")  # type: ignore[operator]
    summary = run_import("orders", path, dry_run=True)
    assert (summary.created, summary.written) == (1, False)
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_ndjson_orders_carry_their_lines(write: object, run_import: Importer) -> None:
    make_party(external_id="C1")
    path = write(
        "orders.ndjson",
        '{"external_id": "O1", "party_external_id": "C1", '  # type: ignore[operator]
        '"ordered_at": "2024-03-01T10:00:00Z", "total": 20, "currency": "EUR", '
        '"lines": [{"product": "Tea", "quantity": 2, "unit_price": "10.00"}]}\n',
    )
    summary = run_import("orders", path)
    assert summary.created == 1
    assert Order.objects.get().lines.get().product == "Tea"


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
