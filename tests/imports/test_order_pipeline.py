"""A large order file is read by a second process: the same answer as one process, and safe."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from clientela.commerce import bulk
from clientela.commerce.models import Order
from clientela.imports.services import BATCH, order_pipeline
from clientela.imports.services.orders import OrderImporter
from tests.factories import make_party
from tests.imports.conftest import Importer

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        "os.environ.get('CLIENTELA_DATABASE_URL', '').startswith('postgres')",
        reason="the reader process is SQLite's (PostgreSQL takes the rows in one process)",
    ),
]

HEADER = "external_id,customer_id,ordered_at,total,currency,status,channel\n"
ROWS = [
    b"O1,C1,2024-03-01T10:00:00Z,49.90,EUR,completed,web",
    b"O2,C2,2024-03-01 11:00:00+01:00,5,EUR,,",  # an offset: the per-row check
    b"O3,C1,2024-02-30T10:00:00Z,5,EUR,,",  # no such day
    b"",  # a blank line
    b"O4,C9,2024-03-01T10:00:00Z,5,EUR,,",  # no such customer
    b"O5,C2,2024-03-01T10:00:00Z, 7.5 ,eur,,",  # OrderCreate strips; lower-case currency
    b"O6,C2,2024-03-01T10:00:00Z,1.001,EUR,,",  # too many decimals
    b'"O7",C1,"2024-03-01T10:00:00Z",3,USD,refunded,"store"',
    b"O8,C1,2024-03-01T10:00:00Z,3,USD,refunded,store,extra",  # a cell too many
    b"'=O9,C1,2024-03-01T10:00:00Z,3,USD,,",  # a neutralised formula cell
    b"O10,C3,2024-03-01T10:00:00Z,8,EUR,,\x00",  # a NUL byte
    b"O11,C3,2024-03-01T10:00:00Z,8,EUR,,caf\xe9",  # not UTF-8
    b'O12,C3,2024-03-01T10:00:00Z,8,EUR,,"web\nstore"',  # a quoted line break: two lines
    b"O13,C4,2024-03-01T10:00:00Z,9,EUR,,",
    b"O13,C4,2024-03-01T10:00:00Z,9,EUR,,",  # repeated in the same batch: unchanged
    b"O14,C5,2024-03-01T10:00:00Z,10,EUR,,",
    b"O15,C5,2024-03-01T10:00:00Z,11,EUR,,",
    b"O1,C1,2024-03-01T10:00:00Z,49.90,EUR,completed,web",  # a later batch repeats O1
    b"O14,C5,2024-03-01T10:00:00Z,99,EUR,,",  # a later batch clashes with O14
    *(
        f"P{n},C{n % 5 + 1},2024-04-{n % 28 + 1:02d}T08:30:00Z,{n}.25,EUR,,".encode()
        for n in range(40)
    ),
    b'"O17""q",C1,2024-03-01T10:00:00Z,2,EUR,,',  # a quote in an id: JSON needs an escape
    b"O18\\x,C2,2024-03-01T10:00:00Z,2,EUR,,",  # and a backslash
    b'O16,C1,2024-03-01T10:00:00Z,1,EUR,,"never closed',  # an unclosed quote, to the end
]


@pytest.fixture
def orders_file(tmp_path: Path) -> Path:
    for n in range(1, 6):
        make_party(external_id=f"C{n}")
    path = tmp_path / "orders.csv"
    path.write_bytes(HEADER.encode() + b"\n".join(ROWS) + b"\n")
    return path


@pytest.fixture
def ways(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], list[int]]:
    """Choose one process or a reader process; returns the list the reader's runs go in."""
    used: list[int] = []
    real = order_pipeline.pipelined

    def spy(*args: Any) -> Iterator[Any]:
        used.append(os.getpid())
        yield from real(*args)

    monkeypatch.setattr(order_pipeline, "pipelined", spy)
    monkeypatch.setitem(BATCH, "orders", 6)  # many batches from a small file

    def choose(way: str) -> list[int]:
        reader = way == "reader process"
        monkeypatch.setattr(order_pipeline, "PIPELINE_MIN_BYTES", 0 if reader else 10**12)
        monkeypatch.setattr(bulk, "REBUILD_MIN_ROWS", 0)
        used.clear()
        return used

    return choose


def stored_orders() -> list[tuple[Any, ...]]:
    """Every order as SQLite holds it, storage classes included."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT external_id, party_id, ordered_at, typeof(ordered_at), total, typeof(total),"
            " currency, status, channel FROM commerce_order ORDER BY external_id"
        )
        return list(cursor.fetchall())


def order_indexes() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'commerce_order'"
            " ORDER BY name"
        )
        return [row[0] for row in cursor.fetchall()]


def test_a_reader_process_gives_the_same_answer_as_one_process(
    orders_file: Path, ways: Callable[[str], list[int]], run_import: Importer, tmp_path: Path
) -> None:
    indexes = order_indexes()
    outcomes = {}
    for way in ("one process", "reader process"):
        used = ways(way)
        rejects = tmp_path / f"{way}.rejects.csv"
        summary = run_import("orders", orders_file, skip_invalid=True, rejects=rejects)
        assert len(used) == (way == "reader process")
        outcomes[way] = (
            (summary.rows, summary.created, summary.unchanged, summary.rejected),
            summary.problems,
            rejects.read_text(),
            stored_orders(),
        )
        assert order_indexes() == indexes
        Order.objects.all().delete()
    assert outcomes["reader process"] == outcomes["one process"]
    counts, problems, rejects_text, orders = outcomes["one process"]
    assert counts == (61, 50, 2, 9)
    assert {p.row for p in problems} == {4, 6, 8, 10, 12, 13, 14, 21, 64}
    assert "O12" in rejects_text
    assert len(orders) == 50
    assert {'O17"q', "O18\\x"} <= {order[0] for order in orders}


def test_all_or_nothing_and_importing_again_through_a_reader_process(
    orders_file: Path,
    ways: Callable[[str], list[int]],
    run_import: Importer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    indexes = order_indexes()
    used = ways("reader process")
    during: list[list[str]] = []
    write = order_pipeline._write

    def watch(importer: OrderImporter, received: Any) -> Any:
        during.append(order_indexes())
        return write(importer, received)

    monkeypatch.setattr(order_pipeline, "_write", watch)
    refused = run_import("orders", orders_file)
    # The rows are staged while checked (SQLite): the order table keeps its indexes, which
    # other requests read meanwhile.
    assert during[0] == indexes
    assert (refused.written, Order.objects.count()) == (False, 0)
    assert order_indexes() == indexes
    rejects = tmp_path / "rejects.csv"
    first = run_import("orders", orders_file, skip_invalid=True, rejects=rejects)
    again = run_import("orders", orders_file, skip_invalid=True, rejects=rejects)
    assert len(used) == 3
    assert (first.created, again.created, again.unchanged) == (50, 0, 52)
    assert again.rejected == first.rejected
    assert order_indexes() == indexes


def test_a_failing_reader_is_reported_and_nothing_is_written(
    orders_file: Path,
    ways: Callable[[str], list[int]],
    run_import: Importer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ways("reader process")
    real = OrderImporter.plan
    writer = os.getpid()

    def plan_then_fail(self: OrderImporter, batch: Any) -> Any:
        if os.getpid() != writer and batch.start > 20:
            raise ValueError("a disk error in the reader")
        return real(self, batch)

    monkeypatch.setattr(OrderImporter, "plan", plan_then_fail)
    with pytest.raises(RuntimeError, match="a disk error in the reader"):
        run_import("orders", orders_file, skip_invalid=True, rejects=orders_file.with_suffix(".r"))
    assert Order.objects.count() == 0

    def plan_then_vanish(self: OrderImporter, batch: Any) -> Any:
        if os.getpid() != writer and batch.start > 20:
            os._exit(9)
        return real(self, batch)

    monkeypatch.setattr(OrderImporter, "plan", plan_then_vanish)
    with pytest.raises(RuntimeError, match="stopped before the end of the file"):
        run_import("orders", orders_file, skip_invalid=True, rejects=orders_file.with_suffix(".r"))
    assert Order.objects.count() == 0


def test_small_files_and_threaded_processes_use_one_process(
    orders_file: Path,
    ways: Callable[[str], list[int]],
    run_import: Importer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    used = ways("one process")
    run_import("orders", orders_file, dry_run=True)
    assert used == []
    used = ways("reader process")
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    run_import("orders", orders_file, dry_run=True)
    assert used == []


def test_a_writer_that_fails_stops_its_reader(
    orders_file: Path,
    ways: Callable[[str], list[int]],
    run_import: Importer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    used = ways("reader process")
    real = bulk.BulkOrders.write_json
    calls: list[int] = []

    def insert_then_fail(self: bulk.BulkOrders, *args: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(self, *args)

    monkeypatch.setattr(bulk.BulkOrders, "write_json", insert_then_fail)
    with pytest.raises(OSError, match="disk full"):
        run_import("orders", orders_file)
    assert used
    assert multiprocessing.active_children() == []
    assert Order.objects.count() == 0


def test_a_changed_order_read_by_a_reader_process_is_refused_or_replaced_under_upsert(
    orders_file: Path, ways: Callable[[str], list[int]], run_import: Importer, tmp_path: Path
) -> None:
    used = ways("reader process")
    run_import("orders", orders_file, skip_invalid=True, rejects=tmp_path / "first.csv")
    rows = [
        f"P{n},C{n % 5 + 1},2024-04-{n % 28 + 1:02d}T08:30:00Z,{n}.25,EUR,"
        + ("refunded" if n == 7 else "")
        + ",\n"
        for n in range(40)
    ]
    changed = tmp_path / "changed.csv"
    changed.write_text(HEADER + "".join(rows))
    refused = run_import("orders", changed, skip_invalid=True, rejects=tmp_path / "again.csv")
    assert (refused.created, refused.unchanged, refused.updated, refused.rejected) == (0, 39, 0, 1)
    assert (refused.problems[0].row, refused.problems[0].column) == (9, "external_id")
    assert "is already used by a different order" in str(refused.problems[0].reason)
    assert Order.objects.get(external_id="P7").status == "completed"
    replaced = run_import("orders", changed, upsert=True)
    assert (replaced.created, replaced.unchanged, replaced.updated) == (0, 39, 1)
    assert Order.objects.get(external_id="P7").status == "refunded"
    assert len(used) == 3
