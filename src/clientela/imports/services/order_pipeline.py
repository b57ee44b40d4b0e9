"""A large order file, read and checked in a second process while this one writes (SQLite).

Reading a CSV file and checking its rows a column at a time take about as long as SQLite takes
to store them; on a machine with two cores the halves can overlap. Once the parties are loaded
(after which the check needs nothing from the database) a reader process is forked. It reads
and plans each batch, and sends it down a pipe in two parts:

- the accepted rows as a JSON array, which SQLite reads itself with json_each (this side makes
  no Python object per value);
- the batch's cells in marshal's format, unpacked here only for the few rows that are checked
  one at a time or whose external id was in the database already.

The writer process hands each batch to commerce's bulk writer, and asks it from the first batch
on to set the order table's secondary indexes aside when the file is large beside the table
(they are built again after the last row, in the same transaction; PostgreSQL). On SQLite the
writer keeps them: it writes in slices that commit as they go while other requests read the
table (importing.py); while it waits for the reader with a slice open, it looks every
IDLE_STEP for another writer waiting, and commits the slice for it.

The reader never touches the database (it does not use Django's connection, which belongs to
the writer's transaction) and leaves through os._exit. If the writer stops, the reader's next
send fails and it ends; if the reader dies, the writer's next receive fails and it says so.
"""

from __future__ import annotations

import contextlib
import json
import marshal
import multiprocessing
import os
import pickle  # nosec B403  # only the bytes our own reader process sent are unpickled
import re
import sqlite3
import threading
import traceback
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from clientela.commerce.services import StoredRow
from clientela.imports.services.order_columns import Columns
from clientela.imports.services.reading import CsvRows, RawBatch, ReadProblem
from clientela.imports.services.rows import BatchResult

if TYPE_CHECKING:
    from collections.abc import Iterator
    from multiprocessing.connection import Connection

    from clientela.imports.services.orders import OrderImporter

# Smaller files are read in one process: forking costs more than it saves (~100,000 rows).
PIPELINE_MIN_BYTES = 6 * 2**20
BATCH, END, ERROR = "batch", "end", "error"
IDLE_STEP = 0.02  # seconds between two looks for waiting writers while the reader reads
# A StoredRow in JSON: its values are text but for the party id (an int), and the text of the
# time and the total is already known to need no escape (digits, "-", ":", " ", ".").
_ROW_FORMAT = '["%s",%d,"%s","%s","%s","%s","%s"]'
_TEXT_COLUMNS = (0, 4, 5, 6)  # external id, currency, status, channel: checked for escapes
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')


def worth_a_pipeline(importer: OrderImporter, file_size: int | None) -> bool:
    """True when the file is large and a reader process can work apart from the database."""
    return (
        importer.columns is not None  # SQLite, and a mapping the column-wise check takes
        and importer.finder.has_all_refs  # planning a batch reads nothing from the database
        and file_size is not None
        and file_size >= PIPELINE_MIN_BYTES
        and (os.cpu_count() or 1) > 1
        and threading.active_count() == 1  # forking a threaded process is not safe
        and not multiprocessing.current_process().daemon  # which may not start processes
        and sqlite3.sqlite_version_info >= (3, 38)  # the ->> operator
        and "fork" in multiprocessing.get_all_start_methods()
    )


@dataclass
class Received:
    """A batch as the reader sent it; its cells are unpacked only when a row needs them."""

    start: int
    ends: list[int]
    skip: set[int]
    problems: dict[int, list[ReadProblem]]
    position: int
    aside: list[int] | None  # None: the whole batch goes row by row
    accepted: int
    cells: bytes
    rows_json: str

    @property
    def count(self) -> int:
        return len(self.ends) - len(self.skip)

    @cached_property
    def batch(self) -> RawBatch:
        cells = marshal.loads(self.cells)  # noqa: S302  (written by our own reader process)
        return RawBatch(cells, self.ends, self.start, self.problems, self.skip, self.position)


def pipelined(
    importer: OrderImporter, rows: CsvRows, size: int, file_size: int
) -> Iterator[tuple[int, BatchResult, int]]:
    """Each batch's row count, result and bytes read, the reading done by a forked process."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    reader = context.Process(
        target=_read_and_plan,
        args=(importer, rows, size, sender, receiver),
        name="clientela-import-reader",
        daemon=True,
    )
    try:
        reader.start()
        sender.close()  # the reader holds the only writing end: its exit is seen as the end
        first = True
        while (received := _receive(receiver, importer)) is not None:
            if first and received.position:
                # The rows the whole file brings, as the first batch foretells them.
                importer.writer.set_indexes_aside(received.count * file_size / received.position)
            first = False
            yield received.count, _write(importer, received), received.position
        importer.writer.restore_indexes()
    finally:
        sender.close()
        receiver.close()
        if reader.is_alive():  # the writer stopped early (an error): the reader is not needed
            reader.kill()
        if reader.pid is not None:
            reader.join()


def _write(importer: OrderImporter, received: Received) -> BatchResult:
    """Write a received batch as OrderImporter.process_batch writes one read here."""
    if received.aside is None:
        return importer.process(received.batch.source_rows())
    with importer.writing():
        if received.aside:
            result = importer.process([received.batch.source_row(i) for i in received.aside])
        else:
            result = BatchResult()
        # The cells are unpacked only when the writer wants the rows (some were stored).
        importer.write_json(lambda: received.batch, received.rows_json, received.accepted, result)
    return result


def _receive(receiver: Connection, importer: OrderImporter) -> Received | None:
    """The next batch from the reader; None at the end of the file. While a slice is open the
    wait is cut in short steps: the slice is committed as soon as another writer waits."""
    slices = importer.slices
    while slices is not None and slices.is_open() and not receiver.poll(IDLE_STEP):
        slices.idle()
    try:
        head = marshal.loads(receiver.recv_bytes())  # noqa: S302  (our own reader process)
        if head[0] == END:
            return None
        if head[0] == ERROR:
            raise RuntimeError(f"the import's reader failed:\n{head[1]}")
        _tag, start, ends, skip, problems, position, aside, accepted = head
        cells = receiver.recv_bytes()
        rows_json = receiver.recv_bytes().decode() if aside is not None else ""
    except EOFError as exc:
        raise RuntimeError("the import's reader stopped before the end of the file") from exc
    return Received(
        start,
        ends,
        skip,
        _problems(problems),
        position,
        aside,
        accepted,
        cells,
        rows_json,
    )


def _problems(sent: bytes) -> dict[int, list[ReadProblem]]:
    """The read problems of a batch, as the reader sent them."""
    if not sent:
        return {}
    found: dict[int, list[ReadProblem]] = pickle.loads(sent)  # noqa: S301  (our own reader process)
    return found


def _read_and_plan(
    importer: OrderImporter, rows: CsvRows, size: int, sender: Connection, receiver: Connection
) -> None:
    """The reader process: read, check and send each batch, then say the end."""
    receiver.close()  # else a writer that is gone would leave this end blocked on a full pipe
    try:
        for batch in rows.batches(size):
            for part in _messages(importer, batch):
                sender.send_bytes(part)
        sender.send_bytes(marshal.dumps((END,)))
    except BrokenPipeError:
        pass  # the writer has stopped: there is no one to tell
    except BaseException:  # whatever it is, the writer reports it
        with contextlib.suppress(OSError):
            sender.send_bytes(marshal.dumps((ERROR, traceback.format_exc())))
    finally:
        sender.close()


def _messages(importer: OrderImporter, batch: RawBatch) -> list[bytes]:
    """A batch as the writer receives it: its head, its cells and (if planned) its JSON rows."""
    plan = importer.plan(batch)
    # The few rows the reader found wrong travel whole (pickled: a problem's message may be a
    # translation to make later); marshal takes only plain values.
    problems = pickle.dumps(batch.problems) if batch.problems else b""
    aside: Any = None if plan is None else plan.aside
    rows = [] if plan is None else importer.column_rows(plan)
    head = (BATCH, batch.start, batch.ends, batch.skip, problems, batch.position, aside, len(rows))
    parts = [marshal.dumps(head), marshal.dumps(batch.cells)]
    if plan is not None:
        parts.append(rows_json(rows, plan.columns).encode())
    return parts


def rows_json(rows: list[StoredRow], columns: Columns) -> str:
    """The rows (made from these columns) as a JSON array of arrays. When no text needs an
    escape (the usual case) it is written by formatting, in half the json module's time."""
    if any(_NEEDS_ESCAPE.search("".join(columns[i])) for i in _TEXT_COLUMNS):
        return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return "[" + ",".join(map(_ROW_FORMAT.__mod__, rows)) + "]"
