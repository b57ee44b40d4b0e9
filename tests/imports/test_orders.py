from __future__ import annotations

import gc
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from pydantic import ValidationError

from clientela.accounts.models import User
from clientela.analytics.models import CustomerMetrics
from clientela.analytics.services import refresh_metrics
from clientela.commerce.models import Order
from clientela.commerce.schemas import OrderCreate
from clientela.imports.models import ImportRun
from clientela.imports.services import ImportOptions, ImportSummary, import_rows, read_file
from clientela.imports.services.mapping import ORDERS, build_mapping
from clientela.imports.services.order_checks import OrderValues, compile_fast_check
from clientela.imports.services.order_columns import ColumnCheck, compile_column_check
from clientela.imports.services.orders import OrderImporter
from clientela.parties.models import Party
from tests.factories import api_client, make_order, make_party
from tests.imports.conftest import Importer

Writer = Callable[[str, bytes | str], Path]
HEADER = "external_id,customer_id,ordered_at,total,currency,status,channel\n"


@pytest.mark.django_db
def test_orders_find_their_party_by_external_id_and_are_created(
    write: Writer, run_import: Importer
) -> None:
    party = make_party(external_id="C1")
    path = write("orders.csv", HEADER + "O1,C1,2024-03-01T10:00:00Z,49.90,EUR,completed,web\n")
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
def test_orders_find_their_party_by_e_mail_in_any_case(write: Writer, run_import: Importer) -> None:
    party = make_party(email="ana@example.com")
    path = write(
        "orders.csv",
        "Order number;E-mail;Date;Amount;Currency\n"
        "O1;ANA@Example.com;2024-03-01 10:00+01:00;10;EUR\n",
    )
    summary = run_import("orders", path)
    assert summary.created == 1
    assert Order.objects.get().party == party


@pytest.mark.django_db
def test_the_same_orders_file_twice_changes_nothing(write: Writer, run_import: Importer) -> None:
    make_party(external_id="C1")
    path = write(
        "orders.csv",
        HEADER + "O1,C1,2024-03-01T10:00:00Z,5,EUR,,\nO2,C1,2024-03-02T10:00:00Z,6,EUR,,\n",
    )
    run_import("orders", path)
    again = run_import("orders", path)
    assert (again.created, again.unchanged, again.rejected) == (0, 2, 0)
    assert Order.objects.count() == 2


@pytest.mark.django_db
def test_an_invalid_row_means_nothing_is_written_and_every_problem_is_reported(
    write: Writer, run_import: Importer
) -> None:
    make_party(external_id="C1")
    path = write(
        "orders.csv",
        HEADER
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
    write: Writer, run_import: Importer, tmp_path: Path
) -> None:
    make_party(external_id="C1")
    path = write(
        "orders.csv",
        HEADER + "O1,C1,2024-03-01T10:00:00Z,5,EUR,,\nO2,C1,2024-03-01T10:00:00Z,abc,EUR,,\n",
    )
    rejects = tmp_path / "rejects.csv"
    summary = run_import("orders", path, skip_invalid=True, rejects=rejects)
    assert (summary.created, summary.rejected, summary.written) == (1, 1, True)
    text = rejects.read_text()
    assert text.splitlines()[0].endswith(",_row,_errors")
    assert "O2,C1" in text
    assert ",3,total:" in text
    fixed = write("fixed.csv", text.replace(",abc,", ",7.50,"))
    again = run_import("orders", fixed)
    assert (again.created, again.rejected) == (1, 0)
    assert Order.objects.get(external_id="O2").total == Decimal("7.50")


@pytest.mark.django_db
def test_an_external_id_used_by_another_order_is_refused(
    write: Writer, run_import: Importer
) -> None:
    make_party(external_id="C1")
    run_import("orders", write("a.csv", HEADER + "O1,C1,2024-03-01T10:00:00Z,5,EUR,,\n"))
    summary = run_import("orders", write("b.csv", HEADER + "O1,C1,2024-03-01T10:00:00Z,9,EUR,,\n"))
    assert summary.rejected == 1
    assert "already used by a different order" in summary.problems[0].reason


@pytest.mark.django_db
def test_a_repeated_row_in_one_file_is_unchanged_and_a_clashing_one_refused(
    write: Writer, run_import: Importer
) -> None:
    make_party(external_id="C1")
    path = write(
        "orders.csv",
        HEADER
        + "O1,C1,2024-03-01T10:00:00Z,5,EUR,,\n" * 2
        + "O1,C1,2024-03-01T10:00:00Z,6,EUR,,\n",
    )
    summary = run_import("orders", path, skip_invalid=True, rejects=path.with_name("r.csv"))
    assert (summary.created, summary.unchanged, summary.rejected) == (1, 1, 1)
    assert summary.problems[0].row == 4


@pytest.mark.django_db
def test_dry_run_reports_the_counts_and_writes_nothing(write: Writer, run_import: Importer) -> None:
    make_party(external_id="C1")
    path = write("orders.csv", HEADER + "O1,C1,2024-03-01T10:00:00Z,5,EUR,,\n")
    summary = run_import("orders", path, dry_run=True)
    assert (summary.created, summary.written) == (1, False)
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_ndjson_orders_carry_their_lines(write: Writer, run_import: Importer) -> None:
    make_party(external_id="C1")
    path = write(
        "orders.ndjson",
        '{"external_id": "O1", "party_external_id": "C1", '
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


@pytest.mark.django_db
def test_an_import_turns_the_cycle_collector_back_on_even_when_it_fails(
    write: Writer, run_import: Importer, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_party(external_id="C1")
    path = write("orders.csv", HEADER + "O1,C1,2024-03-01T10:00:00Z,5,EUR,,\n")
    seen: list[bool] = []
    real = OrderImporter.process_batch

    def watching(self: OrderImporter, batch: object) -> object:
        seen.append(gc.isenabled())
        return real(self, batch)  # type: ignore[arg-type]

    monkeypatch.setattr(OrderImporter, "process_batch", watching)
    run_import("orders", path)
    assert seen == [False]
    assert gc.isenabled()

    def failing(self: OrderImporter, batch: object) -> object:
        raise RuntimeError("disk full")

    monkeypatch.setattr(OrderImporter, "process_batch", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        run_import("orders", path)
    assert gc.isenabled()


# One door, one rule: an order sent again with other content is never "unchanged".

CONFLICT = "is already used by a different order"
FIRST = "O1,C1,2024-03-01T10:00:00Z,49.90,EUR,completed,web\n"
# The same order, later: a new time, refunded, another channel.
CHANGED = {
    "column path": "O1,C1,2024-03-02T11:30:00Z,49.90,EUR,refunded,store\n",
    "row path": "O1,C1,2024-03-02 12:30:00+01:00,49.90,EUR,refunded,store\n",
}


def _order_json(party: Party, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "external_id": "O1",
        "party_id": party.pk,
        "ordered_at": "2024-03-01T10:00:00Z",
        "total": "49.90",
        "currency": "EUR",
        "status": "completed",
        "channel": "web",
    }
    return body | changes


REFUND = {"ordered_at": "2024-03-02T11:30:00Z", "status": "refunded", "channel": "store"}


def _stored_o1() -> tuple[object, ...]:
    order = Order.objects.get(external_id="O1")
    return (order.ordered_at, order.status, order.channel, order.total)


ORIGINAL = (datetime(2024, 3, 1, 10, tzinfo=UTC), "completed", "web", Decimal("49.90"))
REFUNDED = (datetime(2024, 3, 2, 11, 30, tzinfo=UTC), "refunded", "store", Decimal("49.90"))


def _web_import(client: Client, content: str, **choices: str) -> ImportRun:
    upload = SimpleUploadedFile("orders.csv", content.encode(), content_type="text/csv")
    assert client.post("/imports/", {"kind": "orders", "file": upload}).status_code == 302
    run = ImportRun.objects.latest("pk")
    assert client.post(f"/imports/{run.pk}/start/", choices).status_code == 302
    run.refresh_from_db()
    return run


@pytest.mark.django_db
@pytest.mark.parametrize("path", CHANGED)
def test_a_changed_order_is_reported_alike_by_the_api_the_cli_and_the_web_import(
    path: str,
    admin: User,
    web_client: Callable[[User], Client],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    party = make_party(external_id="C1")
    api = api_client(admin)
    created = api.post("/api/v1/orders", _order_json(party), content_type="application/json")
    assert created.status_code == 201, created.content

    one = api.post("/api/v1/orders", _order_json(party, **REFUND), content_type="application/json")
    assert one.status_code == 409
    assert one.json()["code"] == "order_external_id_conflict"
    assert one.json()["errors"][0]["params"]["changed"] == "ordered_at, status, channel"
    many = api.post(
        "/api/v1/orders/bulk",
        json.dumps(_order_json(party, **REFUND)),
        content_type="application/x-ndjson",
    )
    assert many.status_code == 422
    api_error = many.json()["errors"][0]
    assert (api_error["line"], api_error["field"], api_error["value"]) == (1, "external_id", "O1")
    assert api_error["code"] == "order_external_id_conflict"
    assert api_error["message"] == CONFLICT

    file = tmp_path / "orders.csv"
    file.write_text(HEADER + CHANGED[path])
    with pytest.raises(SystemExit) as exit_status:
        call_command("import", "orders", str(file))
    assert exit_status.value.code == 1
    printed = capsys.readouterr()
    assert "0 created, 0 updated, 0 unchanged, 1 rejected" in printed.out
    assert f"row 2, column 'external_id', value 'O1': {CONFLICT}" in printed.err
    cli = ImportRun.objects.get()
    assert (cli.status, cli.created, cli.unchanged, cli.rejected) == ("invalid", 0, 0, 1)

    client = web_client(admin)
    web = _web_import(client, HEADER + CHANGED[path])
    assert (web.status, web.created, web.unchanged, web.rejected) == ("invalid", 0, 0, 1)
    page = client.get(f"/imports/{web.pk}/").content.decode()
    assert CONFLICT in page

    assert _stored_o1() == ORIGINAL
    assert Order.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("way", ["api", "cli", "web"])
def test_with_upsert_a_changed_order_is_updated_alike_through_the_api_the_cli_and_the_web(
    way: str, admin: User, web_client: Callable[[User], Client], tmp_path: Path
) -> None:
    party = make_party(external_id="C1")
    make_order(
        party,
        external_id="O1",
        ordered_at=ORIGINAL[0],
        status="completed",
        channel="web",
        total=Decimal("49.90"),
    )
    if way == "api":
        response = api_client(admin).post(
            "/api/v1/orders/bulk?upsert=true",
            json.dumps(_order_json(party, **REFUND)),
            content_type="application/x-ndjson",
        )
        assert response.status_code == 200, response.content
        counts = response.json()
        assert (counts["created"], counts["updated"], counts["unchanged"]) == (0, 1, 0)
    elif way == "cli":
        file = tmp_path / "orders.csv"
        file.write_text(HEADER + CHANGED["column path"])
        call_command("import", "orders", str(file), "--upsert")
        run = ImportRun.objects.get()
        assert (run.status, run.created, run.updated, run.unchanged) == ("done", 0, 1, 0)
    else:
        run = _web_import(web_client(admin), HEADER + CHANGED["column path"], upsert="on")
        assert (run.status, run.created, run.updated, run.unchanged) == ("done", 0, 1, 0)
    assert _stored_o1() == REFUNDED
    assert Order.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("path", CHANGED)
def test_a_refund_imported_later_reaches_the_next_analytics_refresh(
    path: str, write: Writer, run_import: Importer
) -> None:
    party = make_party(external_id="C1")
    first = run_import(
        "orders", write("a.csv", HEADER + FIRST + "O2,C1,2024-04-01T10:00:00Z,10,EUR,,\n")
    )
    assert first.created == 2
    as_of = date(2024, 12, 31)
    refresh_metrics(as_of=as_of)
    before = CustomerMetrics.objects.get(party=party)
    assert (before.occasions, before.monetary) == (2, Decimal("59.90"))

    refund = run_import("orders", write("refund.csv", HEADER + CHANGED[path]), upsert=True)
    assert (refund.created, refund.updated, refund.unchanged, refund.rejected) == (0, 1, 0, 0)
    refresh_metrics(as_of=as_of)
    after = CustomerMetrics.objects.get(party=party)
    assert (after.occasions, after.monetary) == (1, Decimal("10.00"))
    assert after.first_purchase_at == date(2024, 4, 1)


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
    assert CONFLICT in summary.problems[0].reason
    assert Order.objects.get().party == theirs


@pytest.mark.django_db
def test_with_upsert_the_last_of_an_external_ids_rows_in_a_file_wins(
    write: Writer, run_import: Importer
) -> None:
    make_party(external_id="C1")
    path = write("o.csv", HEADER + FIRST + CHANGED["row path"] + FIRST)
    summary = run_import("orders", path, upsert=True)
    assert (summary.created, summary.updated, summary.unchanged, summary.rejected) == (1, 2, 0, 0)
    assert _stored_o1() == ORIGINAL
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
    assert CONFLICT in refused.problems[0].reason
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
    assert "is not a JSON list of order lines" in problem.reason


@pytest.mark.django_db
def test_the_import_page_offers_upsert_for_orders(
    admin: User, web_client: Callable[[User], Client]
) -> None:
    client = web_client(admin)
    upload = SimpleUploadedFile("orders.csv", (HEADER + FIRST).encode(), content_type="text/csv")
    assert client.post("/imports/", {"kind": "orders", "file": upload}).status_code == 302
    page = client.get(f"/imports/{ImportRun.objects.get().pk}/").content.decode()
    assert 'name="upsert"' in page
