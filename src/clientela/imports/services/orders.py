"""Importing orders, fast: a compiled check per column, then a set-based write per batch.

The rules are OrderCreate's (the API's): see order_checks for the per-row checks and
order_columns for the column-wise one. Rows the fast checks do not accept go to OrderCreate
itself, which gives the verdict and the reason; so the fast path changes speed, never the
answer. This module reads, checks and reports: the orders are written by commerce's bulk writer
(`commerce.services.open_order_writer`), which also decides whether an order whose external id
is known is the same order (unchanged), another one (a conflict, reported here per row), or,
with upsert, a replacement. A large file is read and checked in a second process
(order_pipeline).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, cast

from django.db import connection

from clientela.accounts.models import User
from clientela.commerce.models import OrderStatus, SalesChannel
from clientela.commerce.schemas import OrderCreate
from clientela.commerce.services import CheckedOrder, StoredRow, Written, open_order_writer
from clientela.core.cells import restore
from clientela.core.database import takes_turns
from clientela.imports.services.mapping import Mapping
from clientela.imports.services.order_checks import (
    PARTY_REFS,
    OrderValues,
    check_with_schema,
    compile_fast_check,
)
from clientela.imports.services.order_columns import Columns, compile_column_check
from clientela.imports.services.reading import CsvRows, RawBatch, SourceRow
from clientela.imports.services.rows import (
    BatchResult,
    PartyFinder,
    beside,
    problems_from,
    read_problems,
    row_values,
)

# A row that passed its checks: the row, its values, its party, and its OrderCreate when it
# states its lines (written one at a time, lines and all).
Good = tuple[SourceRow, OrderValues, int, OrderCreate | None]


@dataclass(frozen=True)
class Plan:
    """How a batch of CSV rows is written: the rows the column-wise check accepted (as
    columns, with their parties) go in one statement; the rows set aside, one at a time."""

    columns: Columns
    party_ids: list[int]
    positions: list[int]  # where the accepted rows are in the batch
    aside: list[int]  # the rows checked one at a time, in the file's order


class OrderImporter:
    """Checks orders a batch at a time and has commerce write them; idempotent by external id.

    With `upsert`, an order whose external id is known with other content is replaced (when
    its party is one the user may see); without, the row is refused as a conflict.
    """

    def __init__(
        self, mapping: Mapping, finder: PartyFinder, *, by: User, upsert: bool = False
    ) -> None:
        self.mapping = mapping
        self.finder = finder
        self.column_of = {t: c for c, t in zip(mapping.columns, mapping.targets, strict=True) if t}
        has_lines = "lines" in self.column_of
        self.fast = compile_fast_check(mapping) if not has_lines else (lambda cells: None)
        # The column-wise check gives SQLite's stored text directly, so it is SQLite's alone.
        self.columns = compile_column_check(mapping) if connection.vendor == "sqlite" else None
        # On SQLite the orders are staged, then published in slices (importing.py).
        self.writer = open_order_writer(by=by, upsert=upsert, staged=takes_turns())
        self.finder.preload(emails="party_email" in self.column_of)

    def process_batches(
        self, rows: CsvRows, size: int, file_size: int | None
    ) -> Iterator[tuple[int, BatchResult, int]]:
        """Each batch's row count, result and the bytes read so far; a large file is read and
        checked by a second process while this one writes."""
        from clientela.imports.services.order_pipeline import pipelined, worth_a_pipeline

        if worth_a_pipeline(self, file_size):
            yield from pipelined(self, rows, size, file_size or 0)
            return
        for batch in rows.batches(size):
            yield batch.count, self.process_batch(batch), batch.position

    def process_batch(self, batch: RawBatch) -> BatchResult:
        """Check a batch of CSV rows a column at a time and write the good ones.

        The rows the column-wise check does not accept (and any batch where an external id
        comes twice) go through process(), row by row, which gives the same answer.
        """
        plan = self.plan(batch)
        if plan is None:
            return self.process(batch.source_rows())
        result = self.process_aside(batch, plan)
        rows = self.column_rows(plan)
        self.report(self.writer.write_stored(rows), batch, plan, rows, result)
        return result

    def write_json(
        self, batch: Callable[[], RawBatch], rows_json: str, accepted: int, result: BatchResult
    ) -> None:
        """Write a batch's accepted rows as the reader process sent them (JSON), and report.

        Only when some external ids were there already are the rows wanted as tuples: the
        batch is unpacked and the reader's plan made again (it reads nothing from the
        database).
        """
        planned: list[tuple[RawBatch, Plan, list[StoredRow]]] = []

        def rows() -> list[StoredRow]:
            raw = batch()
            plan = self.plan(raw)
            if plan is None or len(plan.positions) != accepted:
                raise RuntimeError("the import's reader and writer planned a batch differently")
            planned.append((raw, plan, self.column_rows(plan)))
            return planned[0][2]

        written = self.writer.write_json(rows_json, accepted, rows)
        if planned:
            self.report(written, *planned[0], result)
        else:
            _count(written, result)

    def plan(self, batch: RawBatch) -> Plan | None:
        """Which rows the column-wise check accepts; None when the batch goes row by row.

        It reads nothing from the database when every party is preloaded, so a reader process
        can plan batches while this one writes.
        """
        check = self.columns
        if check is None:
            return None
        cells, width = batch.cells, len(self.mapping.columns)
        positions = list(range(len(cells)))
        if batch.problems or batch.skip or set(map(len, cells)) != {width}:
            positions = [
                i
                for i in positions
                if i not in batch.problems and i not in batch.skip and len(cells[i]) == width
            ]
        columns, party_ids, positions = self._check_columns(check, cells, positions)
        if len(positions) == len(cells):
            aside = []
        else:
            aside = sorted(set(range(len(cells))) - set(positions) - batch.skip)
        if columns is None or self._clash(columns[0], [batch.source_row(i) for i in aside]):
            return None
        return Plan(columns, party_ids, positions, aside)

    def process_aside(self, batch: RawBatch, plan: Plan) -> BatchResult:
        """The rows of the batch the column-wise check set aside, checked one at a time."""
        if not plan.aside:
            return BatchResult()
        return self.process([batch.source_row(i) for i in plan.aside])

    @staticmethod
    def column_rows(plan: Plan) -> list[StoredRow]:
        """The accepted rows as stored, sorted by party: orders of one party land next to each
        other in the party index, so far fewer pages are touched."""
        exts, _refs, stored, totals, currencies, statuses, channels = plan.columns
        rows = list(
            zip(exts, plan.party_ids, stored, totals, currencies, statuses, channels, strict=True)
        )
        rows.sort(key=itemgetter(1))
        return rows

    def report(
        self,
        written: Written,
        batch: RawBatch,
        plan: Plan,
        rows: list[StoredRow],
        result: BatchResult,
    ) -> None:
        """Count what the writer did with a batch's accepted rows, and report the refused ones
        (their external ids are distinct in a plan: that names their rows)."""
        _count(written, result)
        if written.refused:
            where = dict(zip(plan.columns[0], plan.positions, strict=True))
            for index, error in written.refused:
                row = batch.source_row(where[rows[index][0]])
                result.reject(row, problems_from(row.row, [error], self.column_of))

    def _check_columns(
        self, check: Callable[..., Any], cells: list[list[str]], positions: list[int]
    ) -> tuple[Columns | None, list[int], list[int]]:
        """The columns and party ids of the rows that pass, and where those rows are."""
        finder = self.finder
        while positions:  # each round sets at least one row aside, or returns
            rows = cells if len(positions) == len(cells) else [cells[i] for i in positions]
            columns, bad = check(rows)
            if columns is not None:
                if not finder.has_all_refs:
                    finder.prefetch(set(columns[1]), set(), set())
                found = list(map(finder.by_ref.get, columns[1]))
                if None not in found:
                    return columns, cast(list[int], found), positions  # no None: checked
                bad = {i for i, pk in enumerate(found) if pk is None}
            positions = [p for i, p in enumerate(positions) if i not in bad]
        return None, [], positions

    def _clash(self, external_ids: Any, slow_rows: list[SourceRow]) -> bool:
        """True when an external id comes twice: the file's order then decides, row by row."""
        if len(set(external_ids)) != len(external_ids):
            return True
        i_ext = self.mapping.index_of("external_id")
        slow_ids = {
            restore(row.cells[i_ext].strip())
            for row in slow_rows
            if row.cells and i_ext is not None and len(row.cells) > i_ext
        }
        return not slow_ids.isdisjoint(external_ids)

    def process(self, rows: list[SourceRow]) -> BatchResult:
        """Check a batch of rows and write the good ones."""
        result = BatchResult()
        fast = self.fast
        checked: list[tuple[SourceRow, OrderValues | None]] = []
        for row in rows:
            if row.problems:
                result.reject(row, read_problems(row))
            else:
                checked.append((row, fast(row.cells) if row.cells is not None else None))
        by_ref = self.finder.by_ref
        if not self.finder.has_all_refs:
            self.finder.prefetch({v[6] for _r, v in checked if v and v[6]}, set(), set())
        good: list[Good] = []
        for row, values in checked:
            ref = None if values is None else values[6]
            party_id = None if ref is None else by_ref.get(ref)
            if values is not None and party_id is not None:
                good.append((row, values, party_id, None))
                continue
            slow = self._check_slowly(row, result)
            if slow is not None:
                good.append(slow)
        first, repeated = _split(good)
        # Orders sorted by party land next to each other in the party index: far fewer pages.
        self._write(sorted(first, key=lambda g: (g[3] is not None, g[2])), result)
        if repeated:  # compared with what the first row of their external id left
            self._write(repeated, result)
        return result

    def _check_slowly(self, row: SourceRow, result: BatchResult) -> Good | None:
        """OrderCreate's verdict and the party look-up in every way, for one row."""
        values, problems = row_values(row, self.mapping)
        schema, schema_problems = check_with_schema(values, row.row, self.column_of)
        problems += beside(problems, schema_problems)
        refs = {t: values[t] for t in PARTY_REFS if t in values}
        party_id, party_problems = self.finder.resolve(refs, self.column_of, row.row)
        problems += party_problems
        if problems or schema is None or party_id is None:
            result.reject(row, problems)
            return None
        checked: OrderValues = (
            schema.external_id,
            schema.ordered_at,
            schema.total,
            schema.currency,
            OrderStatus(schema.status).value,
            SalesChannel(schema.channel).value,
            None,
            None,
        )
        return row, checked, party_id, schema if "lines" in schema.model_fields_set else None

    def finish(self) -> BatchResult:
        """Nothing is left to write: each batch is written as it is read."""
        return BatchResult()

    def _write(self, good: list[Good], result: BatchResult) -> None:
        """Have the rows written in their order: those without lines many at a time, those
        with lines one by one."""
        plain: list[Good] = []
        for entry in good:
            if entry[3] is None:
                plain.append(entry)
                continue
            self._write_plain(plain, result)
            plain = []
            self._report_rows(self.writer.write_with_lines(entry[3], entry[2]), [entry], result)
        self._write_plain(plain, result)

    def _write_plain(self, good: list[Good], result: BatchResult) -> None:
        if not good:
            return
        # The time as SQLite stores it when the check had it without conversion.
        orders: list[CheckedOrder] = [
            (v[0], party_id, v[7] or v[1], v[2], v[3], v[4], v[5])
            for _row, v, party_id, _schema in good
        ]
        self._report_rows(self.writer.write(orders), good, result)

    def _report_rows(self, written: Written, good: list[Good], result: BatchResult) -> None:
        _count(written, result)
        for index, error in written.refused:
            row = good[index][0]
            result.reject(row, problems_from(row.row, [error], self.column_of))


def _count(written: Written, result: BatchResult) -> None:
    result.created += written.created
    result.updated += written.updated
    result.unchanged += written.unchanged


def _split(good: list[Good]) -> tuple[list[Good], list[Good]]:
    """The first row of each external id in the batch, and the rows that repeat one."""
    first: list[Good] = []
    seen: set[str] = set()
    repeated: list[Good] = []
    for entry in good:
        ext = entry[1][0]
        if ext in seen:
            repeated.append(entry)
        else:
            seen.add(ext)
            first.append(entry)
    return first, repeated
