"""Importing orders, fast: a compiled check per column, then one multi-row insert per batch.

The rules are OrderCreate's (the API's): see order_checks for the per-row checks and
order_columns for the column-wise one. Rows the fast checks do not accept go to OrderCreate
itself, which gives the verdict and the reason; so the fast path changes speed, never the
answer. A large file is read and checked in a second process (order_pipeline).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from itertools import chain
from operator import itemgetter
from typing import Any, cast

from django.db import connection
from django.utils import timezone

from clientela.commerce.models import Order, OrderLine, OrderStatus, SalesChannel
from clientela.commerce.schemas import OrderCreate
from clientela.core.cells import restore
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
    RowProblem,
    read_problems,
    row_values,
    short,
)

# Orders per INSERT statement: far fewer statements, under SQLite's 32,766 parameters.
ROWS_PER_INSERT = 100
# The columns an import writes, in the order of its parameters (and of a ColumnRow's values).
INSERTED = (
    "external_id",
    "party_id",
    "ordered_at",
    "total",
    "currency",
    "status",
    "channel",
    "created_at",
)

Good = tuple[SourceRow, OrderValues, int, OrderCreate | None]
# (external id, party id, ordered_at as stored, total, currency, status, channel)
ColumnRow = tuple[str, int, str, str, str, str, str]


@dataclass(frozen=True)
class Plan:
    """How a batch of CSV rows is written: the rows the column-wise check accepted (as
    columns, with their parties) go in one statement; the rows set aside, one at a time."""

    columns: Columns
    party_ids: list[int]
    positions: list[int]  # where the accepted rows are in the batch
    aside: list[int]  # the rows checked one at a time, in the file's order


class OrderImporter:
    """Validates and writes orders a batch at a time; idempotent by external id."""

    def __init__(self, mapping: Mapping, finder: PartyFinder) -> None:
        self.mapping = mapping
        self.finder = finder
        self.column_of = {t: c for c, t in zip(mapping.columns, mapping.targets, strict=True) if t}
        has_lines = "lines" in self.column_of
        self.fast = compile_fast_check(mapping) if not has_lines else (lambda cells: None)
        self.is_sqlite = connection.vendor == "sqlite"
        # The column-wise check writes SQLite's stored text directly, so it is SQLite's alone.
        self.columns = compile_column_check(mapping) if self.is_sqlite else None
        self.finder.preload(emails="party_email" in self.column_of)
        self.sql = self._insert_sql()
        self.many_sql: dict[int, str] = {}

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
        now = self._now()
        params = [(*row, now) for row in self.column_rows(plan)]
        before, inserted = self._insert_many(params)
        self.count_written(batch, plan, before, inserted, result)
        return result

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
    def column_rows(plan: Plan) -> list[ColumnRow]:
        """The accepted rows as stored, sorted by party: orders of one party land next to each
        other in the party index, so far fewer pages are touched."""
        exts, _refs, stored, totals, currencies, statuses, channels = plan.columns
        rows = list(
            zip(exts, plan.party_ids, stored, totals, currencies, statuses, channels, strict=True)
        )
        rows.sort(key=itemgetter(1))
        return rows

    def count_written(
        self, batch: RawBatch, plan: Plan, before: int, inserted: int, result: BatchResult
    ) -> None:
        """Count the accepted rows once they are written; when some external ids were there
        already (a file imported again) their rows are compared with what is stored."""
        if inserted == len(plan.positions):
            result.created += inserted
            return
        exts, refs, stored, totals, currencies, statuses, channels = plan.columns
        good: list[Good] = [
            (
                batch.source_row(i),
                (e, datetime.fromisoformat(at + "+00:00"), t, c, st, ch, r, at),
                pk,
                None,
            )
            for i, e, r, at, t, c, st, ch, pk in zip(
                plan.positions,
                exts,
                refs,
                stored,
                totals,
                currencies,
                statuses,
                channels,
                plan.party_ids,
                strict=True,
            )
        ]
        self._reconcile(good, before, result)

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

    def _now(self) -> Any:
        return connection.ops.adapt_datetimefield_value(timezone.now())

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
            party_id = by_ref.get(values[6]) if values is not None else None  # type: ignore[arg-type]
            if party_id is not None:
                good.append((row, values, party_id, None))  # type: ignore[arg-type]
                continue
            slow = self._check_slowly(row, result)
            if slow is not None:
                good.append(slow)
        first, repeated = _split(good)
        self._write(first, result)
        if repeated:  # compared with what the first row of their external id wrote
            self._reconcile(repeated, before=None, result=result)
        return result

    def _check_slowly(self, row: SourceRow, result: BatchResult) -> Good | None:
        """OrderCreate's verdict and the party look-up in every way, for one row."""
        values, problems = row_values(row, self.mapping)
        schema, schema_problems = check_with_schema(values, row.row, self.column_of)
        problems += schema_problems
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
        return row, checked, party_id, schema if schema.lines else None

    def finish(self) -> BatchResult:
        """Nothing is left to write: each batch is written as it is read."""
        return BatchResult()

    def _write(self, first: list[Good], result: BatchResult) -> None:
        rows = [g for g in first if g[3] is None]
        # Orders sorted by party land next to each other in the party index: far fewer pages.
        rows.sort(key=lambda g: g[2])
        before, inserted = self._insert(self._params(rows))
        if inserted == len(rows):
            result.created += inserted
        else:
            self._reconcile(rows, before, result)
        for row, values, party_id, schema in first:
            if schema is not None:
                self._insert_with_lines(row, values, party_id, schema, result)

    def _params(self, rows: list[Good]) -> list[tuple[Any, ...]]:
        now = self._now()
        if self.is_sqlite:
            # Django keeps SQLite datetimes as naive UTC text and decimals as text.
            return [
                (
                    v[0],
                    pid,
                    v[7] or str(v[1].astimezone(UTC).replace(tzinfo=None)),
                    str(v[2]),
                    v[3],
                    v[4],
                    v[5],
                    now,
                )
                for _row, v, pid, _s in rows
            ]
        return [
            (v[0], pid, v[1], Decimal(v[2]), v[3], v[4], v[5], now) for _row, v, pid, _s in rows
        ]

    def _insert(self, params: list[tuple[Any, ...]]) -> tuple[int, int]:
        """Insert the orders whose external id is new; returns the last id before, the count."""
        if not params:
            return 0, 0
        with connection.cursor() as cursor:
            cursor.execute(self.max_id_sql)
            before = cursor.fetchone()[0] or 0
            cursor.executemany(self.sql, params)
            return before, cursor.rowcount

    def _insert_many(self, params: list[tuple[Any, ...]]) -> tuple[int, int]:
        """As _insert, with many orders per statement (SQLite binds each value all the same,
        but runs far fewer statements)."""
        if not params:
            return 0, 0
        per = ROWS_PER_INSERT
        full = len(params) - len(params) % per
        flat = list(chain.from_iterable(params[:full]))
        size = per * len(params[0])
        with connection.cursor() as cursor:
            cursor.execute(self.max_id_sql)
            before = cursor.fetchone()[0] or 0
            inserted = 0
            if full:
                cursor.executemany(
                    self._many_sql(per), [flat[i : i + size] for i in range(0, len(flat), size)]
                )
                inserted += cursor.rowcount
            if full < len(params):
                rest = list(chain.from_iterable(params[full:]))
                cursor.execute(self._many_sql(len(params) - full), rest)
                inserted += cursor.rowcount
            return before, inserted

    def _many_sql(self, rows: int) -> str:
        if rows not in self.many_sql:
            head, _, rest = self.sql.partition(" VALUES ")
            values, _, conflict = rest.partition(" ON CONFLICT ")
            joined = ", ".join([values] * rows)
            self.many_sql[rows] = f"{head} VALUES {joined} ON CONFLICT {conflict}"
        return self.many_sql[rows]

    def _insert_sql(self) -> str:
        quote = connection.ops.quote_name
        column_of = {f.attname: f.column for f in Order._meta.concrete_fields}
        columns = ", ".join(quote(column_of[n]) for n in INSERTED)
        table = quote(Order._meta.db_table)
        conflict = f"ON CONFLICT ({quote(column_of['external_id'])}) DO NOTHING"
        self.max_id_sql = f"SELECT MAX({quote(column_of['id'])}) FROM {table}"  # noqa: S608  (names from the model, no input)
        # A JSON array of ColumnRows, read by SQLite itself (3.38+); created_at is bound apart.
        # (The WHERE tells SQLite's parser that ON CONFLICT is not a join's ON.)
        values = ", ".join(f"value->>{i}" for i in range(len(INSERTED) - 1))
        self.json_sql = (
            f"INSERT INTO {table} ({columns}) "  # noqa: S608  (names from the model, no input)
            f"SELECT {values}, %s FROM json_each(%s) WHERE true {conflict}"
        )
        return (
            f"INSERT INTO {table} ({columns}) "  # noqa: S608  (names from the model, no input)
            f"VALUES ({', '.join(['%s'] * len(INSERTED))}) {conflict}"
        )

    def insert_json(self, rows_json: str) -> tuple[int, int]:
        """As _insert, for ColumnRows given as a JSON array (SQLite only)."""
        with connection.cursor() as cursor:
            cursor.execute(self.max_id_sql)
            before = cursor.fetchone()[0] or 0
            cursor.execute(self.json_sql, [self._now(), rows_json])
            return before, cursor.rowcount

    def _reconcile(self, good: list[Good], before: int | None, result: BatchResult) -> None:
        """Some external ids were there already: the same order is unchanged, another refused."""
        stored = self._stored([v[0] for _r, v, _p, _s in good])
        claimed: set[str] = set()
        for row, values, party_id, _schema in good:
            if values[0] not in stored:  # a repeat of a row that was itself refused
                result.reject(
                    row,
                    [
                        RowProblem(
                            row.row,
                            self.column_of.get("external_id", "external_id"),
                            short(values[0]),
                            "repeats the external_id of an earlier row that was refused",
                        )
                    ],
                )
                continue
            pk, stored_party, total, currency = stored[values[0]]
            if before is not None and pk > before and values[0] not in claimed:
                claimed.add(values[0])  # the first row with this external id made the order
                result.created += 1
            elif (stored_party, total, currency) == (party_id, Decimal(values[2]), values[3]):
                result.unchanged += 1
            else:
                result.reject(
                    row,
                    [
                        RowProblem(
                            row.row,
                            self.column_of.get("external_id", "external_id"),
                            short(values[0]),
                            f"external_id {values[0]} is already used by a different order",
                        )
                    ],
                )

    def _stored(self, external_ids: list[str]) -> dict[str, tuple[int, int, Decimal, str]]:
        found: dict[str, tuple[int, int, Decimal, str]] = {}
        ids = sorted(set(external_ids))
        for start in range(0, len(ids), 900):
            rows = Order.objects.filter(external_id__in=ids[start : start + 900]).values_list(
                "external_id", "pk", "party_id", "total", "currency"
            )
            for ext, pk, party_id, total, currency in rows:
                found[ext] = (pk, party_id, total, currency)
        return found

    def _insert_with_lines(
        self,
        row: SourceRow,
        values: OrderValues,
        party_id: int,
        schema: OrderCreate | None,
        result: BatchResult,
    ) -> None:
        assert schema is not None  # noqa: S101  (only rows with lines come here)
        existing = Order.objects.filter(external_id=values[0]).first()
        if existing is not None:
            if (existing.party_id, existing.total, existing.currency) == (
                party_id,
                Decimal(values[2]),
                values[3],
            ):
                result.unchanged += 1
            else:
                result.reject(
                    row,
                    [
                        RowProblem(
                            row.row,
                            self.column_of.get("external_id", "external_id"),
                            short(values[0]),
                            f"external_id {values[0]} is already used by a different order",
                        )
                    ],
                )
            return
        order = Order.objects.create(
            external_id=values[0],
            party_id=party_id,
            ordered_at=values[1],
            total=values[2],
            currency=values[3],
            status=values[4],
            channel=values[5],
        )
        OrderLine.objects.bulk_create(
            OrderLine(order=order, **line.model_dump()) for line in schema.lines
        )
        result.created += 1


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
