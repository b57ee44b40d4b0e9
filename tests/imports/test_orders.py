from __future__ import annotations

import gc
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from clientela.accounts.models import User
from clientela.analytics.models import CustomerMetrics
from clientela.commerce.models import Order
from clientela.imports.models import ImportRun
from clientela.imports.services.orders import OrderImporter
from clientela.imports.services.reading import RawBatch
from clientela.imports.services.rows import BatchResult
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
        + "O2,C1,yesterday,5.001,EUU,shipped,\n"
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
    assert "more than two decimals" in str(total.reason)


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
    assert "already used by a different order" in str(summary.problems[0].reason)


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


@pytest.mark.django_db
def test_an_import_turns_the_cycle_collector_back_on_even_when_it_fails(
    write: Writer, run_import: Importer, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_party(external_id="C1")
    path = write("orders.csv", HEADER + "O1,C1,2024-03-01T10:00:00Z,5,EUR,,\n")
    seen: list[bool] = []
    real = OrderImporter.process_batch

    def watching(self: OrderImporter, batch: RawBatch) -> BatchResult:
        seen.append(gc.isenabled())
        return real(self, batch)

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


def stored_o1() -> tuple[object, ...]:
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

    assert stored_o1() == ORIGINAL
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
    assert stored_o1() == REFUNDED
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
    # The analytics refresh as its command runs it (the service, in a transaction).
    refresh = ("analytics", "refresh", "--as-of", "2024-12-31")
    call_command(*refresh, stdout=StringIO())
    before = CustomerMetrics.objects.get(party=party)
    assert (before.occasions, before.monetary) == (2, Decimal("59.90"))

    refund = run_import("orders", write("refund.csv", HEADER + CHANGED[path]), upsert=True)
    assert (refund.created, refund.updated, refund.unchanged, refund.rejected) == (0, 1, 0, 0)
    call_command(*refresh, stdout=StringIO())
    after = CustomerMetrics.objects.get(party=party)
    assert (after.occasions, after.monetary) == (1, Decimal("10.00"))
    assert after.first_purchase_at == date(2024, 4, 1)
