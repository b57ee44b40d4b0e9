"""Importing a file: read it, map its columns, check and write its rows, count and report.

An import is all-or-nothing unless the user asks to set invalid rows aside, and a dry run
writes nothing whatever happens. That rule belongs to the use case, so the transactions are
opened here rather than by each adapter (command, page, task):

- orders, interactions and activities on SQLite are written as the file is checked, in slices
  of about half a second (CLIENTELA_WRITE_SLICE_SECONDS, core.database.Slices), each its own
  transaction with the record of how to take it back (publishing.py); the writers waiting for
  the lock go first before each slice, and a slice ends early when one is waiting. A row
  refused (without skip_invalid) stops the writing: the rest of the file is only checked, and
  what was written is taken back; so is an import that fails, and one that was killed, at the
  next settling of the runs (runs.settle_interrupted). A dry run there only checks;
- parties read set-based (party_bulk.py, on both databases) are staged in TEMP tables while the
  file is checked (no write lock is held), and only once every row passed are they published:
  on SQLite in slices, each with its journal, like the above; on PostgreSQL in one transaction;
- everything else is one transaction (on SQLite it holds the write lock until it ends; on
  PostgreSQL other writers go on beside it).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Right, User
from clientela.accounts.services import require_right
from clientela.core.database import Slices, takes_turns
from clientela.core.errors import invalid
from clientela.core.files import private_fd
from clientela.imports.models import ImportRun
from clientela.imports.services import format_detection, publishing
from clientela.imports.services.activities import ActivityImporter
from clientela.imports.services.interactions import InteractionImporter
from clientela.imports.services.mapping import (
    ACTIVITIES,
    INTERACTIONS,
    KINDS,
    ORDERS,
    PARTIES,
    Mapping,
    build_mapping,
)
from clientela.imports.services.orders import OrderImporter
from clientela.imports.services.pacing import sqlite_for_importing, without_cycle_collector
from clientela.imports.services.parties import PartyImporter
from clientela.imports.services.party_bulk import BulkPartyImporter, is_bulk
from clientela.imports.services.party_consent import ImportedFile
from clientela.imports.services.reading import CsvRows, SourceRow, Table, open_table
from clientela.imports.services.rejects import RejectsWriter
from clientela.imports.services.rows import BatchResult, Outcome, PartyFinder, RowProblem
from clientela.parties.bulk import StagedParties
from clientela.parties.models import CustomField
from clientela.parties.queries import visible_parties

log = logging.getLogger("clientela.imports")
KEPT_PROBLEMS = 1000
BATCH = {ORDERS: 10_000, PARTIES: 5_000, INTERACTIONS: 10_000, ACTIVITIES: 500}
# The kinds written in slices as they go on SQLite (parties read by the set-based importer are
# staged and published after; other party files are one transaction).
SLICED_KINDS = frozenset({ORDERS, INTERACTIONS, ACTIVITIES})
# Staged parties published in the first slice (then as many as fit the slice's time).
PUBLISH_FIRST_PARTIES = 5_000

Progress = Callable[[int, int], None]  # (rows done, bytes read)


@dataclass
class ImportOptions:
    """How to read the file and what to do with invalid rows and matches."""

    kind: str
    format: str | None = None
    encoding: str | None = None
    overrides: dict[str, str] = field(default_factory=dict)
    dry_run: bool = False
    skip_invalid: bool = False
    upsert: bool = False
    # How dates and amounts are written (formats.py); None: found in the file.
    date_format: str | None = None
    locale: str | None = None


@dataclass
class ImportSummary:
    """What an import did: counts, the first problems, and whether anything was written."""

    kind: str
    file_name: str
    format: str = ""
    encoding: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    skipped: int = 0  # kept out on purpose; each with its reason among the problems
    problem_count: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False
    seconds: float = 0.0
    slices_seconds: list[float] = field(default_factory=list)  # the write lock held, each

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "file": self.file_name,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "skipped": self.skipped,
            "written": self.written,
            "dry_run": self.dry_run,
            "seconds": round(self.seconds, 3),
        }


def custom_field_names() -> dict[str, str]:
    """Custom field keys and their labels, which columns may be named after."""
    return dict(CustomField.objects.values_list("key", "label"))


def read_file(
    binary: IO[bytes], *, name: str, options: ImportOptions, with_formats: bool = True
) -> tuple[Table, Mapping]:
    """Open the file and map its columns; Invalid names what makes it unreadable.

    With `with_formats`, the mapping also says how the file writes its dates and amounts
    (given in the options, or found in the file: format_detection.py); an upload that is
    only being mapped does not ask yet.
    """
    table = open_table(binary, name=name, format=options.format, encoding=options.encoding)
    custom = custom_field_names() if options.kind == PARTIES else {}
    mapping = build_mapping(options.kind, table.columns, options.overrides, custom)
    if not with_formats:
        return table, mapping
    formats, read = format_detection.detect_formats(
        table, mapping, date_format=options.date_format, locale=options.locale
    )
    if read:  # the rows looked at are read again by the import
        binary.seek(0)
        table = open_table(binary, name=name, format=options.format, encoding=options.encoding)
    return table, replace(mapping, formats=formats)


def _importer(
    kind: str,
    mapping: Mapping,
    *,
    by: User,
    upsert: bool,
    table: Table,
    name: str,
    slices: Slices | None,
    check_only: bool,
) -> Any:
    visible = visible_parties(by)
    if kind == ORDERS:
        return OrderImporter(
            mapping,
            PartyFinder(visible),
            by=by,
            upsert=upsert,
            slices=slices,
            check_only=check_only,
        )
    if kind == INTERACTIONS:
        return InteractionImporter(
            mapping, PartyFinder(visible), by=by, slices=slices, check_only=check_only
        )
    if kind == ACTIVITIES:
        return ActivityImporter(
            mapping, PartyFinder(visible), by=by, slices=slices, check_only=check_only
        )
    source = ImportedFile(name or "-", table.source)
    if is_bulk(mapping):  # parties, set-based (party_bulk.py)
        return BulkPartyImporter(mapping, by=by, visible=visible, upsert=upsert, source=source)
    return PartyImporter(mapping, by=by, visible=visible, upsert=upsert, source=source)


def import_rows(
    table: Table,
    mapping: Mapping,
    *,
    options: ImportOptions,
    by: User,
    name: str = "",
    on_progress: Progress | None = None,
    on_problem: Callable[[RowProblem], None] | None = None,
    rejects: RejectsWriter | None = None,
    limit: int | None = None,
    run: ImportRun | None = None,
) -> ImportSummary:
    """Check and write the table's rows; see the module's docstring. The `run` of the import,
    when there is one, keeps the journal of what is published (publishing.py)."""
    require_right(by, Right.IMPORT)
    if options.kind not in KINDS:
        raise invalid(
            "kind",
            options.kind,
            code="import_kind_unknown",
            message=_("must be one of %(kinds)s"),
            kinds=", ".join(KINDS),
        )
    summary = ImportSummary(
        kind=options.kind,
        file_name=name,
        format=table.format,
        encoding=table.encoding,
        mapping=mapping.as_dict(),
        ignored_columns=mapping.ignored,
        dry_run=options.dry_run,
    )
    started = time.perf_counter()
    rows: Iterator[SourceRow] = table.rows if limit is None else islice(table.rows, limit)
    sliced = takes_turns() and options.kind in SLICED_KINDS
    with sqlite_for_importing(), without_cycle_collector(), contextlib.ExitStack() as stack:
        importer: Any = None
        slices = None
        if sliced and not options.dry_run:
            slices = Slices(lambda: publishing.journal(importer, run))
        importer = _importer(
            options.kind,
            mapping,
            by=by,
            upsert=options.upsert,
            table=table,
            name=name,
            slices=slices,
            check_only=sliced and options.dry_run,
        )
        if hasattr(importer, "close"):
            stack.callback(importer.close)
        stage = _stage_of(importer)
        if stage is not None:
            stack.callback(stage.close)
        with contextlib.nullcontext() if sliced or stage is not None else transaction.atomic():
            try:
                _run_batches(
                    importer, table, rows, summary, options, on_progress, on_problem, rejects
                )
                if slices is not None:
                    slices.end()
            except BaseException:
                if slices is not None:
                    publishing.take_back_slices(importer, slices, run)
                raise
            summary.written = not options.dry_run and (
                summary.rejected == 0 or options.skip_invalid
            )
            if not summary.written and not sliced and stage is None:
                transaction.set_rollback(True)
        if slices is not None:
            if not summary.written:
                publishing.take_back_slices(importer, slices, run)
            summary.slices_seconds = slices.lengths
        if stage is not None and summary.written:
            if run is not None:
                publishing.start(run)
            consent = importer.consent  # the withdrawals of its consent columns, or None
            publishing.publish_parties(stage, run, first=PUBLISH_FIRST_PARTIES, consent=consent)
    summary.seconds = time.perf_counter() - started
    return summary


def _stage_of(importer: Any) -> StagedParties | None:
    """The set-based party importer's staged writer, or None."""
    writer = getattr(importer, "writer", None)
    return writer if isinstance(writer, StagedParties) else None


def _run_batches(
    importer: Any,
    table: Table,
    rows: Iterator[SourceRow],
    summary: ImportSummary,
    options: ImportOptions,
    on_progress: Progress | None,
    on_problem: Callable[[RowProblem], None] | None,
    rejects: RejectsWriter | None,
) -> None:
    """Check and write every batch, counting and reporting as they come."""
    try:
        with contextlib.closing(_results(importer, table, rows, BATCH[options.kind])) as results:
            for count, result, position in results:
                _tally(summary, count, result, on_problem, rejects)
                if summary.rejected and not options.skip_invalid and _writes(importer):
                    importer.stop_writing()  # nothing will be kept: check the rest only
                if on_progress is not None:
                    on_progress(summary.rows, position)
    finally:
        last = importer.finish()  # waits for a write still running, even on an error
    _tally(summary, 0, last, on_problem, rejects)


def _writes(importer: Any) -> bool:
    """True when the importer writes in slices as it goes."""
    return getattr(importer, "slices", None) is not None


def _results(
    importer: Any, table: Table, rows: Iterator[SourceRow], size: int
) -> Generator[tuple[int, BatchResult, int]]:
    """Each batch's row count, result and the bytes of the file read so far; raw CSV batches
    for an importer that takes them."""
    if isinstance(rows, CsvRows) and hasattr(importer, "process_batches"):
        yield from importer.process_batches(rows, size, table.size)
        return
    while batch := list(islice(rows, size)):
        yield len(batch), importer.process(batch), table.position() if table.position else 0


def _tally(
    summary: ImportSummary,
    size: int,
    result: BatchResult,
    on_problem: Callable[[RowProblem], None] | None,
    rejects: RejectsWriter | None,
) -> None:
    summary.rows += size
    summary.created += result.created
    summary.updated += result.updated
    summary.unchanged += result.unchanged
    summary.rejected += len(result.rejected)
    summary.skipped += result.skipped
    reports: list[tuple[int, list[RowProblem], Outcome | None]] = []
    for outcome in result.rejected:
        # Never without a reason.
        outcome.problems = outcome.problems or [
            RowProblem(outcome.row.row, "", "", _("was refused"), code="row_refused")
        ]
        reports.append((outcome.row.row, outcome.problems, outcome))
    reports += [(note.row, [note], None) for note in result.notes]  # reported, not refused
    for _row, problems, refused in sorted(reports, key=lambda report: report[0]):
        summary.problem_count += len(problems)
        room = KEPT_PROBLEMS - len(summary.problems)
        if room > 0:
            summary.problems.extend(problems[:room])
        if on_problem is not None:
            for problem in problems:
                on_problem(problem)
        if rejects is not None and refused is not None:
            rejects.write(refused)


def import_file(
    path: Path,
    *,
    options: ImportOptions,
    by: User,
    rejects_path: Path | None = None,
    rejects_kept: bool = False,
    on_progress: Progress | None = None,
    on_problem: Callable[[RowProblem], None] | None = None,
    name: str | None = None,
    run: ImportRun | None = None,
) -> ImportSummary:
    """Import a file on disk; the rejects (if asked for) go to rejects_path, their reasons in
    the active language, or untranslated when the file is kept to be downloaded later
    (`rejects_kept`, see rejects.py)."""
    name = name or path.name
    with path.open("rb") as binary:
        table, mapping = read_file(binary, name=name, options=options)
        with contextlib.ExitStack() as stack:
            rejects = None
            if rejects_path is not None:
                # The rejected rows are personal data: the file is the importing user's alone.
                stream = stack.enter_context(
                    open(private_fd(rejects_path), "w", encoding="utf-8", newline="")
                )
                rejects = RejectsWriter(stream, table, kept=rejects_kept)
            return import_rows(
                table,
                mapping,
                options=options,
                by=by,
                name=name,
                on_progress=on_progress,
                on_problem=on_problem,
                rejects=rejects,
                run=run,
            )
