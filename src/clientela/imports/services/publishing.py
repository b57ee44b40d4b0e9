"""The journal of an import being published: what each slice wrote, to take it back.

Orders and interactions checked by an import on SQLite are written a slice at a time
(importing.py), each slice its own transaction; with each slice, in the same transaction, goes
a record of how to take it back (`record`: the kind's undo; interactions' name their kind).
When the import is done the records go with the same write that marks it done
(runs.finish_run). An import that fails, or refuses a row, takes back what it wrote at once;
one whose process ended (a kill, a crash) is taken back when the interrupted runs are settled
(runs.settle_interrupted), which happens before the next import runs and whenever the list of
imports is read.
"""

from __future__ import annotations

from typing import Any, Protocol

from clientela.commerce.services import Undo, undo_writes
from clientela.imports.models import ImportRun, ImportStatus, PublishedSlice
from clientela.interactions import bulk as interactions_bulk


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
    """Take back what these runs published (their processes ended before they were done)."""
    for run_id in run_ids:
        undo = Undo()
        interactions = interactions_bulk.InteractionUndo()
        for record_ in PublishedSlice.objects.filter(run_id=run_id).values_list("undo", flat=True):
            if record_.get("kind") == interactions_bulk.KIND:
                interactions.add(interactions_bulk.InteractionUndo.from_record(record_))
            else:  # orders' records name no kind
                undo.add(Undo.from_record(record_))
        undo_writes(undo)
        interactions_bulk.take_back(interactions)
        PublishedSlice.objects.filter(run_id=run_id).delete()
