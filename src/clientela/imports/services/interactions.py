"""Importing interactions, set-based: a compiled check per row, then one write per batch.

The rules are InteractionCreate's (the API's, `log_interaction`'s). The compiled check accepts
only rows InteractionCreate accepts, with the same values (tests hold the two side by side);
any other row goes to InteractionCreate itself, which gives the verdict and the reason. The
party is found by external id, e-mail, phone or Clientela id among those the user may see
(PartyFinder). An interaction without an external id gets one made from its content, so
importing the same file twice does not log it twice. The checked rows of a batch are written
by interactions' bulk writer (`interactions.services.open_interaction_writer`), which decides
whether an external id already stored is the same interaction (unchanged) or another one
(refused, reported here per row) and whether a correction names an interaction of the party.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from django.utils import timezone
from pydantic import ValidationError

from clientela.accounts.models import User
from clientela.core.database import Slices
from clientela.core.validation import field_errors
from clientela.imports.services.mapping import Mapping
from clientela.imports.services.reading import CsvRows, SourceRow
from clientela.imports.services.rows import (
    STAND_IN_PARTY,
    BatchResult,
    PartyFinder,
    beside,
    problems_from,
    read_problems,
    row_values,
)
from clientela.interactions.bulk import Checked, InteractionUndo, take_back
from clientela.interactions.models import Channel, Direction
from clientela.interactions.schemas import MAX_AHEAD, InteractionCreate
from clientela.interactions.services import open_interaction_writer

PARTY_REFS = ("party_external_id", "party_email", "party_phone", "party_id")
FIELDS = ("channel", "direction", "occurred_at", "subject", "notes", "outcome", "external_id")
# What both datetime.fromisoformat and pydantic read the same way: an ISO date and time with
# seconds optional, up to six decimals, and a Z or ±HH:MM offset.
_ISO = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d:\d\d)$", re.ASCII)
_CHANNELS = frozenset(Channel.values)
_DIRECTIONS = frozenset(Direction.values)
# A row the compiled check accepts: (party external id, external id or "", channel,
# direction, occurred_at or None, its stored text or None, subject, notes, outcome, and the
# texts an external id made from the content is made of).
FastRow = tuple[str, str, str, str, datetime | None, str | None, str, str, str, dict[str, str]]
_LIMITS = {"subject": 200, "notes": 20000, "outcome": 200, "external_id": 100}


def content_id(party_id: int, values: dict[str, Any]) -> str:
    """An external id made from what the interaction says, for files that have none."""
    parts = [str(party_id)] + [str(values.get(k, "")) for k in FIELDS[:-1]]
    return "import:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def compile_fast_check(mapping: Mapping) -> Callable[[list[str], datetime], FastRow | None]:
    """A function that checks one CSV row's cells (and the latest time allowed); None means
    "ask InteractionCreate".

    Only with one party column, party_external_id (the others take the slow path, which finds
    the party in every way) and no correction column. Times are read in the file's formats
    (`mapping.formats`), as the slow path's row_values reads them.
    """
    index = {target: mapping.index_of(target) for target in (*FIELDS, *PARTY_REFS)}
    i_ref = index["party_external_id"]
    others = [index[t] for t in PARTY_REFS if t != "party_external_id"]
    i_channel, i_direction = index["channel"], index["direction"]
    if (
        i_ref is None
        or i_channel is None
        or i_direction is None
        or any(i is not None for i in others)
        or mapping.index_of("corrects_id") is not None
    ):
        return lambda cells, latest: None
    width = len(mapping.columns)
    texts = [
        (t, i)
        for t in ("subject", "notes", "outcome", "external_id")
        if (i := index[t]) is not None
    ]
    i_at = index["occurred_at"]
    match_iso, fromiso = _ISO.match, datetime.fromisoformat
    # Times as the file writes them (formats.py), as row_values reads them on the full path:
    # to UTC text, which the content id is made of too. "2024-03-01T10:00:00Z" is that already.
    read_at = mapping.formats.converters["occurred_at"] if mapping.formats is not None else None
    channels, directions = _CHANNELS, _DIRECTIONS

    def check(cells: list[str], latest: datetime) -> FastRow | None:
        if len(cells) != width:
            return None
        ref = cells[i_ref].strip()
        channel = cells[i_channel].strip()
        direction = cells[i_direction].strip()
        if not ref or len(ref) > 100 or ref[0] == "'":
            return None
        if channel not in channels or direction not in directions:
            return None
        values = {"channel": channel, "direction": direction}
        for target, i in texts:
            cell = cells[i].strip()
            if cell:
                if cell[0] == "'" or len(cell) > _LIMITS[target]:
                    return None
                values[target] = cell
        if not ({"subject", "notes", "outcome", "external_id"} & values.keys()):
            return None  # says nothing: InteractionCreate refuses it (interaction_empty)
        moment = stored = None
        if i_at is not None and (at := cells[i_at].strip()):
            try:
                if read_at is not None and not (len(at) == 20 and at[10] == "T" and at[19] == "Z"):
                    at = read_at(at)  # a local time, another order, an offset: to UTC text
                if not match_iso(at):
                    return None
                moment = fromiso(at)
            except ValueError:  # formats' Problem is one: the full path names it
                return None
            if moment > latest:
                return None
            values["occurred_at"] = at
            # The common "2024-03-01T10:00:00Z" is stored as UTC text without conversion.
            if len(at) == 20 and at[19] == "Z":
                stored = at[:10] + " " + at[11:19]
        get = values.get
        return (
            ref,
            get("external_id", ""),
            channel,
            direction,
            moment,
            stored,
            get("subject", ""),
            get("notes", ""),
            get("outcome", ""),
            values,
        )

    return check


class InteractionImporter:
    """Checks interactions a batch at a time and has interactions' bulk writer log them."""

    def __init__(
        self,
        mapping: Mapping,
        finder: PartyFinder,
        *,
        by: User,
        slices: Slices | None = None,
        check_only: bool = False,
    ) -> None:
        self.mapping = mapping
        self.finder = finder
        self.by = by
        self.slices = slices
        self.column_of = {t: c for c, t in zip(mapping.columns, mapping.targets, strict=True) if t}
        self.fast = compile_fast_check(mapping)
        self.writer = open_interaction_writer(
            by=by, keeps_undo=slices is not None, check_only=check_only
        )
        self.finder.preload(emails="party_email" in self.column_of)

    def finish(self) -> BatchResult:
        """Nothing is left to write: each batch is written as it is read."""
        return BatchResult()

    def close(self) -> None:
        self.writer.close()

    def writing(self) -> contextlib.AbstractContextManager[object]:
        """Around the writes of a batch: in a slice, when they go in slices."""
        return contextlib.nullcontext() if self.slices is None else self.slices.write()

    def stop_writing(self) -> None:
        """A row was refused and the import will write nothing: the rest of the file is only
        checked, and what was written is taken back by the caller."""
        if self.slices is None:
            return
        self.slices.end()
        self.slices = None
        self.writer = open_interaction_writer(by=self.by, check_only=True)

    def take_undo(self) -> InteractionUndo:
        """How to take back what was written since the last call (a slice's journal)."""
        return self.writer.take_undo()

    @staticmethod
    def take_back(undos: list[Any]) -> None:
        """Take back the slices written (each one's `take_undo`)."""
        undo = InteractionUndo()
        for part in undos:
            undo.add(part)
        take_back(undo)

    def process_batches(
        self, rows: CsvRows, size: int, file_size: int | None
    ) -> Iterator[tuple[int, BatchResult, int]]:
        """Each batch's row count, result and the bytes read so far (raw CSV batches: a
        SourceRow is made only for the rows that need one)."""
        for batch in rows.batches(size):
            skip, problems = batch.skip, batch.problems
            cells: list[tuple[int, list[str] | None]] = [
                (i, None if i in problems else row)
                for i, row in enumerate(batch.cells)
                if i not in skip
            ]
            yield batch.count, self._process(cells, batch.source_row), batch.position

    def process(self, rows: list[SourceRow]) -> BatchResult:
        """Check a batch of rows and log the good ones."""
        return self._process(
            [(i, None if row.problems else row.cells) for i, row in enumerate(rows)],
            rows.__getitem__,
        )

    def _process(
        self, rows: list[tuple[int, list[str] | None]], source: Callable[[int], SourceRow]
    ) -> BatchResult:
        """Check rows (their cells, None for a row read with problems or not from CSV) and
        log the good ones; `source(i)` is the row as a SourceRow."""
        result = BatchResult()
        fast = self.fast
        found = self.finder.by_ref
        latest = timezone.now() + MAX_AHEAD
        good: list[Checked] = []
        where: list[int] = []
        stored_at: list[str | None] = []
        for i, cells in rows:
            quick = None if cells is None else fast(cells, latest)
            party_id = None if quick is None else found.get(quick[0])
            if quick is not None and party_id is not None:
                _ref, ext, channel, direction, at, text, subject, notes, outcome, values = quick
                ext = ext or content_id(party_id, values)
                good.append(
                    Checked(ext, party_id, channel, direction, at, subject, notes, outcome, None)
                )
                where.append(i)
                stored_at.append(text)
                continue
            row = source(i)
            if row.problems:
                result.reject(row, read_problems(row))
                continue
            slow = self._check_slowly(row, result)
            if slow is not None:
                good.append(slow)
                where.append(i)
                stored_at.append(None)
        if not good:
            return result
        with self.writing():
            logged = self.writer.write(good, stored_at)
        result.created += logged.created
        result.unchanged += logged.unchanged
        for position, error in logged.refused:
            row = source(where[position])
            result.reject(row, problems_from(row.row, [error], self.column_of))
        return result

    def _check_slowly(self, row: SourceRow, result: BatchResult) -> Checked | None:
        """InteractionCreate's verdict and the party look-up in every way, for one row."""
        values, problems = row_values(row, self.mapping)
        refs = {t: values[t] for t in PARTY_REFS if t in values}
        party_id, party_problems = self.finder.resolve(refs, self.column_of, row.row)
        data = {k: values[k] for k in (*FIELDS, "corrects_id") if k in values}
        data["party_id"] = party_id or STAND_IN_PARTY
        schema = None
        try:
            schema = InteractionCreate.model_validate(data)
        except ValidationError as exc:
            problems += beside(problems, problems_from(row.row, field_errors(exc), self.column_of))
        problems += party_problems
        if problems or schema is None or party_id is None:
            result.reject(row, problems)
            return None
        return Checked(
            schema.external_id or content_id(party_id, values),
            party_id,
            str(schema.channel.value),
            str(schema.direction.value),
            schema.occurred_at,
            schema.subject,
            schema.notes,
            schema.outcome,
            schema.corrects_id,
        )
