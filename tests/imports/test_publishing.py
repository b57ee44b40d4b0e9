"""Orders and interactions imported on SQLite: written as the file is checked, in slices that
commit as they go, each with the record of how to take it back; an import that refuses a row,
fails or is killed is taken back, so it is all-or-nothing as the user sees it."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from clientela.activities.models import Activity, ActivityEvent
from clientela.activities.services import create_activity
from clientela.commerce import bulk
from clientela.commerce.models import Order
from clientela.commerce.schemas import OrderCreate
from clientela.commerce.services import record_order
from clientela.core.database import Slices
from clientela.core.registries import ORDERS_LISTENERS
from clientela.imports.models import ImportRun, ImportStatus, PublishedSlice
from clientela.imports.services import importing, publishing, settle_interrupted
from clientela.imports.services.importing import ImportOptions
from clientela.imports.services.runs import INTERRUPTED, import_path
from clientela.interactions import bulk as interactions_bulk
from clientela.interactions.models import Interaction
from tests.factories import make_party

Writer = Callable[[str, bytes | str], Path]
HEADER = "external_id,customer_id,ordered_at,total,currency,status,channel\n"
ROWS = 3000

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL imports in one transaction"
)


@pytest.fixture
def small_slices(settings: Settings) -> None:
    """Every piece of work ends its slice, and no pause: a file of a few thousand rows takes
    many slices."""
    settings.CLIENTELA_WRITE_SLICE_SECONDS = 1e-9
    settings.CLIENTELA_WRITE_YIELD_SECONDS = 0


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(importing.BATCH, "orders", 500)
    monkeypatch.setitem(importing.BATCH, "interactions", 500)


@pytest.fixture
def orders_file(write: Writer) -> Path:
    make_party(external_id="C1")
    make_party(external_id="C2")
    rows = (
        f"O{n},C{1 + n % 2},2024-03-01T10:00:00Z,{n}.50,EUR,completed,web\n" for n in range(ROWS)
    )
    return write("orders.csv", HEADER + "".join(rows))


def _import(path: Path, by: User, kind: str = "orders", **options: Any) -> tuple[ImportRun, Any]:
    return import_path(path, options=ImportOptions(kind=kind, **options), by=by)


def _journal_sizes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The orders stored each time a slice's journal is written (inside its transaction)."""
    seen: list[int] = []
    real = publishing.record

    def spy(run: ImportRun, undo: Any) -> None:
        seen.append(Order.objects.count() + Interaction.objects.count())
        assert connection.in_atomic_block  # the journal goes in the slice's transaction
        real(run, undo)

    monkeypatch.setattr(publishing, "record", spy)
    return seen


def _around_writes(monkeypatch: pytest.MonkeyPatch, around: Callable[..., Any]) -> None:
    """Call `around(writer, real_write, *args)` for each write of the bulk order writer."""
    for name in ("write", "write_stored", "write_json"):
        real = getattr(bulk.BulkOrders, name)

        def wrapped(self: bulk.BulkOrders, *args: Any, real: Any = real) -> Any:
            return around(self, real, *args)

        monkeypatch.setattr(bulk.BulkOrders, name, wrapped)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("small_slices", "small_batches")
def test_orders_are_written_in_slices_each_its_own_transaction_with_its_journal(
    admin: User, orders_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written_in: list[bool] = []

    def spy(self: bulk.BulkOrders, real: Callable[..., Any], *args: Any) -> Any:
        written_in.append(connection.in_atomic_block)
        return real(self, *args)

    _around_writes(monkeypatch, spy)
    journal = _journal_sizes(monkeypatch)
    run, summary = _import(orders_file, admin)
    assert (run.status, summary.created) == (ImportStatus.DONE, ROWS)
    assert written_in
    assert all(written_in)  # every write inside a slice's transaction
    assert len(journal) >= ROWS // 500  # one slice per batch here, each journalled
    assert journal == sorted(journal)
    assert 0 < journal[0] < ROWS  # committed as they go, not at the end
    assert len(summary.slices_seconds) == len(journal)
    assert Order.objects.count() == ROWS
    assert not PublishedSlice.objects.exists()  # the journal goes once the run is done


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("small_slices", "small_batches")
def test_the_orders_listeners_hear_once_per_committed_slice_and_not_of_interactions(
    admin: User, orders_file: Path, write: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    heard: list[tuple[frozenset[int], bool]] = []
    monkeypatch.setitem(
        ORDERS_LISTENERS, "test", lambda ids: heard.append((ids, connection.in_atomic_block))
    )
    journal = _journal_sizes(monkeypatch)
    run, _summary = _import(orders_file, admin)
    assert run.status == ImportStatus.DONE
    parties = frozenset(Order.objects.values_list("party_id", flat=True))
    assert len(heard) == len(journal) > 1  # once per slice, each slice's orders at once
    assert {ids for ids, _in_transaction in heard} == {parties}  # each slice has both parties
    assert not any(in_transaction for _ids, in_transaction in heard)  # after the commit
    heard.clear()
    rows = [f"I{n},C1,email,inbound,2024-03-01T10:00:00Z,Hello {n}\n" for n in range(ROWS)]
    _import(write("i.csv", INTERACTIONS + "".join(rows)), admin, "interactions")
    assert heard == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("small_slices", "small_batches")
def test_a_bad_row_late_in_the_file_takes_back_every_slice_written_before_it(
    admin: User, write: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_party(external_id="C1")
    rows = [f"O{n},C1,2024-03-01T10:00:00Z,{n}.50,EUR,completed,web\n" for n in range(ROWS)]
    rows[2500] = "O2500,C1,2024-03-01T10:00:00Z,lots,EUR,completed,web\n"
    journal = _journal_sizes(monkeypatch)
    run, summary = _import(write("bad.csv", HEADER + "".join(rows)), admin)
    assert journal
    assert journal[-1] > 0  # slices had been committed before the bad row was met
    assert (run.status, summary.written, summary.rejected) == (ImportStatus.INVALID, False, 1)
    assert summary.problems[0].row == 2502
    assert summary.problems[0].column == "total"
    assert Order.objects.count() == 0
    assert not PublishedSlice.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("small_slices", "small_batches")
def test_rows_after_a_bad_one_are_still_checked_against_the_stored_orders(
    admin: User, write: Writer
) -> None:
    party = make_party(external_id="C1")
    record_order(
        OrderCreate(
            external_id="OLD",
            party_id=party.pk,
            ordered_at="2020-01-01T00:00:00Z",  # type: ignore[arg-type]  # parsed by pydantic
            total=Decimal(1),
            currency="EUR",
        ),
        by=admin,
    )
    rows = [f"O{n},C1,2024-03-01T10:00:00Z,{n}.50,EUR,completed,web\n" for n in range(ROWS)]
    rows[100] = "O100,C1,2024-03-01T10:00:00Z,-1,EUR,completed,web\n"
    rows[2900] = "OLD,C1,2024-03-01T10:00:00Z,9.00,EUR,completed,web\n"  # differs from stored
    run, summary = _import(write("bad.csv", HEADER + "".join(rows)), admin)
    assert run.status == ImportStatus.INVALID
    assert [p.row for p in summary.problems] == [102, 2902]
    assert summary.problems[1].code == "order_external_id_conflict"
    assert list(Order.objects.values_list("external_id", flat=True)) == ["OLD"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("small_slices", "small_batches")
def test_an_import_that_fails_midway_takes_back_what_it_wrote(
    admin: User, orders_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def fail_on_the_third(self: bulk.BulkOrders, real: Callable[..., Any], *args: Any) -> Any:
        calls.append(Order.objects.count())
        if len(calls) == 3:
            raise RuntimeError("the disk is full")
        return real(self, *args)

    _around_writes(monkeypatch, fail_on_the_third)
    with pytest.raises(RuntimeError):
        _import(orders_file, admin)
    assert calls[2] > 0  # two slices had been committed
    assert Order.objects.count() == 0
    assert ImportRun.objects.get().status == ImportStatus.FAILED
    assert not PublishedSlice.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("small_slices", "small_batches")
def test_a_killed_import_is_taken_back_when_the_runs_are_settled_replacements_too(
    admin: User, orders_file: Path, write: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(
        write("first.csv", HEADER + "O1,C2,2024-03-01T10:00:00Z,1.50,EUR,completed,web\n"), admin
    )
    calls: list[int] = []

    def killed_on_the_fourth(self: bulk.BulkOrders, real: Callable[..., Any], *args: Any) -> Any:
        calls.append(1)
        if len(calls) == 4:
            raise SystemExit("killed")  # as if the process ended here: nothing taken back
        return real(self, *args)

    _around_writes(monkeypatch, killed_on_the_fourth)
    monkeypatch.setattr(publishing, "take_back_slices", lambda *args: None)
    with pytest.raises(SystemExit):
        _import(orders_file, admin, upsert=True)
    assert Order.objects.count() > 1000
    assert Order.objects.get(external_id="O1").total == Decimal("1.50")  # replaced
    assert PublishedSlice.objects.exists()
    # The process that ran it has ended while it was writing.
    done = subprocess.Popen(["true"])  # noqa: S607  (a process that has ended)
    done.wait()
    run = ImportRun.objects.order_by("id").last()
    assert run is not None
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.RUNNING, pid=done.pid)

    assert settle_interrupted() == 1
    assert list(Order.objects.values_list("external_id", "total")) == [("O1", Decimal("1.50"))]
    run.refresh_from_db()
    assert (run.status, run.error) == (ImportStatus.FAILED, str(INTERRUPTED))
    assert not PublishedSlice.objects.exists()


def _another_writer_after_the_first_slice(
    monkeypatch: pytest.MonkeyPatch, write_one: Callable[[], None]
) -> None:
    real, ended = Slices.end, list[int]()

    def end(self: Slices) -> None:
        was_open = self.is_open()
        real(self)
        if was_open and not ended:
            ended.append(1)
            write_one()  # between two slices, as another client would

    monkeypatch.setattr(Slices, "end", end)


def _order(admin: User, customer: str, at: str, total: str) -> None:
    record_order(
        OrderCreate.model_validate(
            {
                "external_id": "O2999",
                "party_external_id": customer,
                "ordered_at": at,
                "total": total,
                "currency": "EUR",
                "channel": "web",
            }
        ),
        by=admin,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("small_slices", "small_batches")
def test_an_order_another_client_stores_meanwhile_with_other_content_refuses_the_row(
    admin: User, orders_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _another_writer_after_the_first_slice(
        monkeypatch, lambda: _order(admin, "C1", "2024-01-01T00:00:00Z", "1")
    )
    run, summary = _import(orders_file, admin)
    assert run.status == ImportStatus.INVALID
    assert [(p.row, p.code) for p in summary.problems] == [(3001, "order_external_id_conflict")]
    # Nothing of the import is kept; the other client's order is.
    assert list(Order.objects.values_list("external_id", flat=True)) == ["O2999"]
    assert not PublishedSlice.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("small_slices", "small_batches")
def test_the_same_order_stored_meanwhile_by_another_client_is_counted_unchanged(
    admin: User, orders_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _another_writer_after_the_first_slice(
        monkeypatch, lambda: _order(admin, "C2", "2024-03-01T10:00:00Z", "2999.50")
    )
    run, summary = _import(orders_file, admin)
    assert (run.status, summary.created, summary.unchanged) == (ImportStatus.DONE, ROWS - 1, 1)
    assert Order.objects.count() == ROWS


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("small_slices", "small_batches")
def test_a_dry_run_writes_nothing_and_holds_no_slice(admin: User, orders_file: Path) -> None:
    run, summary = _import(orders_file, admin, dry_run=True)
    assert (run.status, summary.created, summary.slices_seconds) == (
        ImportStatus.CHECKED,
        ROWS,
        [],
    )
    assert Order.objects.count() == 0


INTERACTIONS = "external_id,customer_id,channel,direction,occurred_at,subject\n"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("small_slices", "small_batches")
def test_interactions_go_in_slices_and_a_bad_row_takes_them_all_back(
    admin: User, write: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_party(external_id="C1")
    rows = [f"I{n},C1,email,inbound,2024-03-01T10:00:00Z,Hello {n}\n" for n in range(ROWS)]
    journal = _journal_sizes(monkeypatch)
    run, summary = _import(write("ok.csv", INTERACTIONS + "".join(rows)), admin, "interactions")
    assert (run.status, summary.created) == (ImportStatus.DONE, ROWS)
    assert 0 < journal[0] < ROWS
    rows = [f"J{n},C1,email,inbound,2024-03-01T10:00:00Z,Hello {n}\n" for n in range(ROWS)]
    rows[2800] = "J2800,C1,pigeon,inbound,2024-03-01T10:00:00Z,Coo\n"
    journal.clear()
    run, summary = _import(write("bad.csv", INTERACTIONS + "".join(rows)), admin, "interactions")
    assert journal[-1] > ROWS  # some of this file's rows had been committed
    assert (run.status, summary.rejected) == (ImportStatus.INVALID, 1)
    assert Interaction.objects.count() == ROWS  # the first file's, no more
    assert not Interaction.objects.filter(external_id__startswith="J").exists()
    assert not PublishedSlice.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("small_slices", "small_batches")
def test_a_killed_interaction_import_is_taken_back_when_the_runs_are_settled(
    admin: User, write: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_party(external_id="C1")
    rows = [f"I{n},C1,email,inbound,2024-03-01T10:00:00Z,Hello {n}\n" for n in range(ROWS)]
    real, calls = interactions_bulk.BulkInteractions.write, []

    def killed_on_the_fourth(self: interactions_bulk.BulkInteractions, *args: Any) -> Any:
        calls.append(1)
        if len(calls) == 4:
            raise SystemExit("killed")
        return real(self, *args)

    monkeypatch.setattr(interactions_bulk.BulkInteractions, "write", killed_on_the_fourth)
    monkeypatch.setattr(publishing, "take_back_slices", lambda *args: None)
    with pytest.raises(SystemExit):
        _import(write("i.csv", INTERACTIONS + "".join(rows)), admin, "interactions")
    assert Interaction.objects.count() == 1500
    done = subprocess.Popen(["true"])  # noqa: S607  (a process that has ended)
    done.wait()
    ImportRun.objects.update(status=ImportStatus.RUNNING, pid=done.pid)
    assert settle_interrupted() == 1
    assert Interaction.objects.count() == 0
    assert not PublishedSlice.objects.exists()


ACTIVITIES = "customer_id,kind,title,due_date,external_id\n"
TASKS = 120


def _tasks(prefix: str) -> list[str]:
    return [f"C1,call,Call {n},2030-05-06,{prefix}{n}\n" for n in range(TASKS)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("small_slices")
def test_activities_go_in_slices_and_a_bad_row_takes_them_all_back_steps_too(
    admin: User, write: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_party(external_id="C1")
    journal: list[int] = []
    real = publishing.record

    def spy(run: ImportRun, undo: Any) -> None:
        journal.append(Activity.objects.count())
        assert connection.in_atomic_block  # the journal goes in the slice's transaction
        real(run, undo)

    monkeypatch.setattr(publishing, "record", spy)
    run, summary = _import(write("ok.csv", ACTIVITIES + "".join(_tasks("A"))), admin, "activities")
    assert (run.status, summary.created) == (ImportStatus.DONE, TASKS)
    assert 0 < journal[0] < TASKS  # committed a slice at a time
    steps = ActivityEvent.objects.count()
    rows = _tasks("B")
    rows[100] = "C1,pigeon,Coo,2030-05-06,B100\n"
    journal.clear()
    run, summary = _import(write("bad.csv", ACTIVITIES + "".join(rows)), admin, "activities")
    assert journal[-1] > TASKS  # some of this file's rows had been committed
    assert (run.status, summary.rejected, summary.rows) == (ImportStatus.INVALID, 1, TASKS)
    assert Activity.objects.count() == TASKS  # the first file's, no more
    assert not Activity.objects.filter(external_id__startswith="B").exists()
    assert ActivityEvent.objects.count() == steps  # their timeline steps went with them
    assert not PublishedSlice.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_dry_run_of_activities_checks_every_row_and_writes_nothing(
    admin: User, write: Writer
) -> None:
    make_party(external_id="C1")
    rows = [*_tasks("A"), "C1,call,Call 0,2030-05-06,A0\n"]  # the first row again: unchanged
    path = write("dry.csv", ACTIVITIES + "".join(rows))
    _run, summary = _import(path, admin, "activities", dry_run=True)
    assert (summary.created, summary.unchanged, summary.rejected) == (TASKS, 1, 0)
    assert Activity.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("small_slices")
def test_a_killed_activity_import_is_taken_back_when_the_runs_are_settled(
    admin: User, write: Writer, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_party(external_id="C1")
    real, calls = create_activity, []

    def killed_on_the_hundredth(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 100:
            raise SystemExit("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(
        "clientela.imports.services.activities.create_activity", killed_on_the_hundredth
    )
    monkeypatch.setattr(publishing, "take_back_slices", lambda *args: None)
    with pytest.raises(SystemExit):
        _import(write("a.csv", ACTIVITIES + "".join(_tasks("A"))), admin, "activities")
    assert Activity.objects.count() == 99
    done = subprocess.Popen(["true"])  # noqa: S607  (a process that has ended)
    done.wait()
    ImportRun.objects.update(status=ImportStatus.RUNNING, pid=done.pid)
    assert settle_interrupted() == 1
    assert Activity.objects.count() == 0
    assert not PublishedSlice.objects.exists()
