"""The journal of an import being published: what each slice wrote, to take it back.

Orders, interactions, activities and parties checked by an import on SQLite are written a slice
at a time (importing.py), each slice its own transaction; with each slice, in the same
transaction, goes a record of how to take it back (`record`: the kind's undo; all but orders'
name their kind). Orders, interactions and activities are written as the file is checked;
parties are staged
while it is checked and published once every row passed. When the import is done the records
go with the same write that marks it done (runs.finish_run). An import that fails, or refuses
a row, takes back what it wrote at once; one whose process ended (a kill, a crash) is taken
back when the interrupted runs are settled (runs.settle_interrupted), which happens before the
next import runs and whenever the list of imports is read.
"""

from __future__ import annotations

import itertools
import logging
import time
from typing import Any, Protocol

from django.db import transaction

from clientela.activities import bulk as activities_bulk
from clientela.commerce.services import Undo, undo_writes
from clientela.core.database import SliceClock, Slices, long_write, takes_turns, write_slice
from clientela.imports.models import ImportRun, ImportStatus, PublishedSlice
from clientela.imports.services import consent_stage
from clientela.interactions import bulk as interactions_bulk
from clientela.parties.bulk import KIND as PARTIES
from clientela.parties.bulk import PartiesUndo, StagedParties, undo_parties

log = logging.getLogger("clientela.imports")
JOURNAL_CHUNKS = 10  # consent chunks journalled per transaction


class Recorded(Protocol):
    def as_record(self) -> dict[str, Any]: ...


def start(run: ImportRun) -> None:
    """The run's rows all passed; they are being published."""
    run.status = ImportStatus.PUBLISHING
    run.save(update_fields=["status"])


def record(run: ImportRun, undo: Recorded) -> None:
    """Keep how to take back one published slice (in the slice's own transaction)."""
    PublishedSlice.objects.create(run=run, undo=undo.as_record())


def forget(run: ImportRun) -> None:
    """The run is done (or taken back): its slices need no taking back."""
    PublishedSlice.objects.filter(run=run).delete()


def left_over() -> list[int]:
    """Runs that failed and still have slices to take back (their taking back failed too)."""
    runs = PublishedSlice.objects.filter(run__status=ImportStatus.FAILED)
    return sorted(set(runs.values_list("run_id", flat=True)))


def take_back(run_ids: list[int]) -> None:
    """Take back what these runs published (their processes ended before they were done).

    Each slice's record says its kind ("interactions", "activities", "parties"; orders'
    records say none), and each kind takes its slices back its own way: orders with
    commerce.services.undo_writes (in slices of its own), interactions and activities with
    their bulk modules' take_back, parties with parties.bulk.undo_parties, the last slice
    first.
    """
    for run_id in run_ids:
        kinds = {
            r.get("kind")
            for r in PublishedSlice.objects.filter(run_id=run_id).values_list("undo", flat=True)
        }
        if consent_stage.FINAL in kinds:  # past its point of no return: finished instead
            finish_consent(run_id)
            continue
        orders, parties = Undo(), []
        interactions = interactions_bulk.InteractionUndo()
        activities = activities_bulk.ActivityUndo()
        slices = PublishedSlice.objects.filter(run_id=run_id).order_by("-pk")
        for record_ in slices.values_list("undo", flat=True):
            if record_.get("kind") == interactions_bulk.KIND:
                interactions.add(interactions_bulk.InteractionUndo.from_record(record_))
            elif record_.get("kind") == activities_bulk.KIND:
                activities.add(activities_bulk.ActivityUndo.from_record(record_))
            elif record_.get("kind") == PARTIES:
                parties.append(PartiesUndo.from_record(record_))
            elif record_.get("kind") in {consent_stage.KIND, consent_stage.FINAL}:
                continue  # withdrawals not yet recorded: their journal goes with the rest
            else:  # orders' records name no kind
                orders.add(Undo.from_record(record_))
        undo_writes(orders)
        interactions_bulk.take_back(interactions)
        activities_bulk.take_back(activities)
        for undo in parties:
            with write_slice():
                undo_parties(undo)
        PublishedSlice.objects.filter(run_id=run_id).delete()


def finish_consent(run_id: int) -> None:
    """Record the withdrawals left in the journal of a run past its point of no return (its
    parties are all published: consent_stage.py), one chunk per transaction; the mark of the
    point of no return goes last."""
    chunks = PublishedSlice.objects.filter(run_id=run_id).order_by("pk")
    for pk in list(chunks.values_list("pk", flat=True)):
        started = time.perf_counter()
        with write_slice():
            chunk = PublishedSlice.objects.filter(pk=pk).values_list("undo", flat=True).first()
            if chunk is not None and chunk.get("kind") == consent_stage.KIND:
                consent_stage.record_chunk(chunk)
            PublishedSlice.objects.filter(pk=pk).delete()
        _logged("recorded a chunk of withdrawals", started)


def _logged(what: str, started: float) -> None:
    log.info("%s in one slice: %.3f s with the write lock", what, time.perf_counter() - started)


def publish_parties(
    stage: StagedParties,
    run: ImportRun | None,
    *,
    first: int,
    consent: consent_stage.StagedConsent | None = None,
) -> None:
    """Move the staged parties to the parties tables: on SQLite a slice at a time, each with
    the record of how to take it back (publishing.py), taken back on an error; on PostgreSQL
    in one transaction (core.database.long_write). Then the staged withdrawals, once the import
    is final (consent_stage.py): from then on an error leaves what was published, and the
    withdrawals still in the journal are recorded when the runs are next settled."""
    clock = SliceClock(first, most=500_000)
    after, done = (0, 0), PartiesUndo()
    final = _Final()
    try:
        with long_write():
            while True:
                size, started = clock.size(), time.perf_counter()
                with clock.slice():
                    published = stage.publish_slice(after, size)
                    if published is not None and run is not None and takes_turns():
                        record(run, published[1])
                if published is None:
                    break
                done.add(published[1])  # committed: now it is this import's to take back
                log.info(
                    "published up to %s staged parties in one slice: %.3f s with the write lock",
                    size,
                    time.perf_counter() - started,
                )
                after = published[0]
            if consent is not None and consent.count:
                _publish_consent(consent, run, final)
    except BaseException:
        if takes_turns() and not final.reached:
            with transaction.atomic():
                undo_parties(done)
            if run is not None:
                forget(run)
        raise


class _Final:
    """Whether the import is final (nothing of it may be taken back any more)."""

    def __init__(self) -> None:
        self.reached = False


def _publish_consent(
    consent: consent_stage.StagedConsent, run: ImportRun | None, final: _Final
) -> None:
    """Record the staged withdrawals (consent_stage.py, steps 2 to 4). With a journal (SQLite
    and a run) the chunks are journalled first, then the parties' journal is dropped in one
    transaction: the point of no return. Without one, the first chunk recorded is."""
    started = time.perf_counter()
    if run is not None and takes_turns():
        chunks = consent.chunks()
        while True:
            batch = list(itertools.islice(chunks, JOURNAL_CHUNKS))  # read before the lock
            begun = time.perf_counter()
            with write_slice():  # a few chunks per transaction
                for chunk in batch:
                    PublishedSlice.objects.create(run=run, undo=chunk)
            _logged("journalled the withdrawals to record", begun)
            if len(batch) < JOURNAL_CHUNKS:
                break
        begun = time.perf_counter()
        with write_slice():
            PublishedSlice.objects.filter(run=run, undo__kind=PARTIES).delete()
            PublishedSlice.objects.create(run=run, undo={"kind": consent_stage.FINAL})
        _logged("made the import final", begun)
        final.reached = True
        finish_consent(run.pk)
    else:
        for chunk in consent.chunks():
            begun = time.perf_counter()
            with write_slice():
                consent_stage.record_chunk(chunk)
            _logged("recorded a chunk of withdrawals", begun)
            final.reached = True
    log.info(
        "recorded the withdrawals of %s staged cells in %.3f s",
        consent.count,
        time.perf_counter() - started,
    )


def journal(importer: Any, run: ImportRun | None) -> Any:
    """The record of how to take back the slice being committed, kept in it."""
    undo = importer.take_undo()
    if run is not None:
        record(run, undo)
    return undo


def take_back_slices(importer: Any, slices: Slices, run: ImportRun | None) -> None:
    """Take back what the import wrote in its committed slices, and forget their journal."""
    try:
        slices.end()
    except Exception:  # the last slice could not be committed: it was rolled back
        log.warning("the last slice of an import could not be committed", exc_info=True)
    importer.take_back(slices.committed)
    slices.committed.clear()
    if run is not None:
        forget(run)
