"""Orders imported on SQLite: staged while the file is checked (no write lock held), then
published in slices, each its own transaction; an import that fails or is killed while
publishing is taken back, so it is all-or-nothing as the user sees it."""

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
from clientela.commerce.models import Order
from clientela.commerce.schemas import OrderCreate
from clientela.commerce.services import StagedOrders, record_order
from clientela.core.errors import Conflict
from clientela.imports.models import ImportRun, ImportStatus, PublishedSlice
from clientela.imports.services import importing, publishing, settle_interrupted
from clientela.imports.services.importing import ImportOptions
from clientela.imports.services.runs import INTERRUPTED, import_path
from tests.factories import make_party

Writer = Callable[[str, bytes | str], Path]
HEADER = "external_id,customer_id,ordered_at,total,currency,status,channel\n"
ROWS = 3000

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL imports in one transaction"
)


@pytest.fixture
def small_slices(settings: Settings) -> None:
    """Slices of a few hundred rows and no pause: a file of a few thousand takes many."""
    settings.CLIENTELA_WRITE_SLICE_SECONDS = 1e-9
    settings.CLIENTELA_WRITE_YIELD_SECONDS = 0


@pytest.fixture
def orders_file(write: Writer) -> Path:
    make_party(external_id="C1")
    make_party(external_id="C2")
    rows = (
        f"O{n},C{1 + n % 2},2024-03-01T10:00:00Z,{n}.50,EUR,completed,web\n" for n in range(ROWS)
    )
    return write("orders.csv", HEADER + "".join(rows))


def _import(path: Path, by: User, **options: Any) -> tuple[ImportRun, Any]:
    return import_path(path, options=ImportOptions(kind="orders", **options), by=by)


@pytest.mark.django_db(transaction=True)
def test_orders_are_checked_outside_any_transaction_and_published_in_slices(
    admin: User, orders_file: Path, small_slices: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "PUBLISH_FIRST_SLICE", 1000)
    staged_in: list[bool] = []
    published_in: list[bool] = []
    stage, publish = StagedOrders.write_stored, StagedOrders.publish_slice

    def staging(self: StagedOrders, *args: Any) -> Any:
        staged_in.append(connection.in_atomic_block)
        return stage(self, *args)

    def publishing_(self: StagedOrders, *args: Any) -> Any:
        published_in.append(connection.in_atomic_block)
        return publish(self, *args)

    monkeypatch.setattr(StagedOrders, "write_stored", staging)
    monkeypatch.setattr(StagedOrders, "publish_slice", publishing_)
    run, summary = _import(orders_file, admin)
    assert (run.status, summary.created) == (ImportStatus.DONE, ROWS)
    assert staged_in
    assert not any(staged_in)  # checking holds no transaction, so no write lock
    assert len(published_in) > 3
    assert all(published_in)  # each slice in a transaction of its own (committed after it)
    assert Order.objects.count() == ROWS
    assert not PublishedSlice.objects.exists()  # the journal goes once the run is done


@pytest.mark.django_db(transaction=True)
def test_an_import_that_fails_while_publishing_takes_back_what_it_published(
    admin: User, orders_file: Path, small_slices: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "PUBLISH_FIRST_SLICE", 1000)
    publish, slices = StagedOrders.publish_slice, []

    def fail_on_the_third(self: StagedOrders, *args: Any) -> Any:
        slices.append(Order.objects.count())
        if len(slices) == 3:
            raise RuntimeError("the disk is full")
        return publish(self, *args)

    monkeypatch.setattr(StagedOrders, "publish_slice", fail_on_the_third)
    with pytest.raises(RuntimeError):
        _import(orders_file, admin)
    assert slices[2] > 0  # two slices had been committed
    assert Order.objects.count() == 0
    assert ImportRun.objects.get().status == ImportStatus.FAILED
    assert not PublishedSlice.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_is_taken_back_when_the_runs_are_settled_replacements_too(
    admin: User,
    orders_file: Path,
    write: Writer,
    small_slices: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importing, "PUBLISH_FIRST_SLICE", 1000)
    _import(
        write("first.csv", HEADER + "O1,C2,2024-03-01T10:00:00Z,1.50,EUR,completed,web\n"), admin
    )
    publish, slices = StagedOrders.publish_slice, []

    def killed_on_the_third(self: StagedOrders, *args: Any) -> Any:
        slices.append(1)
        if len(slices) == 3:
            raise SystemExit("killed")  # as if the process ended here: nothing taken back
        return publish(self, *args)

    monkeypatch.setattr(StagedOrders, "publish_slice", killed_on_the_third)
    monkeypatch.setattr(importing, "undo_writes", lambda undo: None)
    monkeypatch.setattr(publishing, "forget", lambda run: None)
    with pytest.raises(SystemExit):
        _import(orders_file, admin, upsert=True)
    assert Order.objects.count() > 1000
    assert Order.objects.get(external_id="O1").total == Decimal("1.50")
    # The process that ran it has ended while it was publishing.
    done = subprocess.Popen(["true"])  # noqa: S607  (a process that has ended)
    done.wait()
    run = ImportRun.objects.order_by("id").last()
    assert run is not None
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.PUBLISHING, pid=done.pid)

    assert settle_interrupted() == 1
    assert list(Order.objects.values_list("external_id", "total")) == [("O1", Decimal("1.50"))]
    run.refresh_from_db()
    assert (run.status, run.error) == (ImportStatus.FAILED, str(INTERRUPTED))
    assert not PublishedSlice.objects.exists()


@pytest.mark.django_db
def test_an_order_stored_meanwhile_with_other_content_stops_the_import_and_keeps_nothing(
    admin: User, orders_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importing._publish

    def another_writer_first(*args: Any) -> None:
        record_order(
            OrderCreate.model_validate(
                {
                    "external_id": "O7",
                    "party_external_id": "C1",
                    "ordered_at": "2024-01-01T00:00:00Z",
                    "total": "1",
                    "currency": "EUR",
                }
            ),
            by=admin,
        )
        real(*args)

    monkeypatch.setattr(importing, "_publish", another_writer_first)
    with pytest.raises(Conflict) as caught:
        _import(orders_file, admin)
    assert caught.value.code == "import_conflict_while_publishing"
    assert list(Order.objects.values_list("external_id", flat=True)) == ["O7"]
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    assert run.error_detail["code"] == "import_conflict_while_publishing"


@pytest.mark.django_db
def test_the_same_order_stored_meanwhile_is_counted_unchanged(
    admin: User, orders_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importing._publish

    def another_writer_first(*args: Any) -> None:
        record_order(
            OrderCreate.model_validate(
                {
                    "external_id": "O7",
                    "party_external_id": "C2",
                    "ordered_at": "2024-03-01T10:00:00Z",
                    "total": "7.50",
                    "currency": "EUR",
                    "channel": "web",
                }
            ),
            by=admin,
        )
        real(*args)

    monkeypatch.setattr(importing, "_publish", another_writer_first)
    run, summary = _import(orders_file, admin)
    assert (summary.created, summary.unchanged) == (ROWS - 1, 1)
    assert (run.created, run.unchanged) == (ROWS - 1, 1)
    assert Order.objects.count() == ROWS
