"""Importing orders, fast: a compiled check per column, then one multi-row insert per batch.

The rules are OrderCreate's (the API's). The fast check accepts only what OrderCreate accepts,
with the same result (tests hold the two side by side); any row it does not accept is handed to
OrderCreate itself, which gives the verdict and the reason. So the fast path changes speed,
never the answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from itertools import chain, repeat
from operator import itemgetter
from typing import Any, cast

from django.db import connection
from django.utils import timezone
from pydantic import ValidationError

from clientela.commerce.models import Order, OrderLine, OrderStatus, SalesChannel
from clientela.commerce.schemas import OrderCreate
from clientela.core.money import CURRENCIES, MAX_AMOUNT
from clientela.core.validation import field_errors
from clientela.imports.cells import restore
from clientela.imports.mapping import Mapping
from clientela.imports.order_columns import Columns, compile_column_check
from clientela.imports.reading import RawBatch, SourceRow
from clientela.imports.rows import (
    BatchResult,
    PartyFinder,
    RowProblem,
    problems_from,
    read_problems,
    row_values,
    short,
)

PARTY_REFS = ("party_external_id", "party_email", "party_id")
# Orders per INSERT statement: far fewer statements, under SQLite's 32,766 parameters.
ROWS_PER_INSERT = 100
# What both datetime.fromisoformat and pydantic read the same way: an ISO date and time with
# seconds optional, up to six decimals, and a Z or ±HH:MM offset.
_ISO = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d:\d\d)$", re.ASCII)
_CENT = Decimal("0.01")
# Amounts that need no Decimal to be known valid: up to 12 digits, up to 2 decimals.
_PLAIN_AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,2})?$", re.ASCII)
_STATUSES = frozenset(OrderStatus.values)
_CHANNELS = frozenset(SalesChannel.values)

# (external_id, ordered_at, total, currency, status, channel, party reference or None,
#  ordered_at as SQLite stores it when it could be had without conversion)
OrderValues = tuple[str, datetime, Decimal | str, str, str, str, str | None, str | None]


def compile_fast_check(
    mapping: Mapping, *, with_party: bool = True
) -> Callable[[list[str]], OrderValues | None]:
    """A function that checks one CSV row's cells; None means "ask OrderCreate".

    With one party column, party_external_id, its value comes back last; with another party
    column, or several, rows take the slow path, which finds the party in every way.
    """
    i_ext = mapping.index_of("external_id")
    i_at = mapping.index_of("ordered_at")
    i_total = mapping.index_of("total")
    i_cur = mapping.index_of("currency")
    i_status = mapping.index_of("status")
    i_channel = mapping.index_of("channel")
    i_ref = mapping.index_of("party_external_id")
    other_refs = [mapping.index_of(t) for t in ("party_email", "party_id")]
    if i_ext is None or i_at is None or i_total is None or i_cur is None:
        return lambda cells: None
    if with_party and (i_ref is None or any(i is not None for i in other_refs)):
        return lambda cells: None
    width = len(mapping.columns)
    match_iso = _ISO.match
    match_plain = _PLAIN_AMOUNT.match
    fromiso = datetime.fromisoformat
    currencies = CURRENCIES
    statuses, channels = _STATUSES, _CHANNELS
    default_status, default_channel = OrderStatus.COMPLETED.value, SalesChannel.OTHER.value
    cent, most = _CENT, MAX_AMOUNT

    def check(cells: list[str]) -> OrderValues | None:
        if len(cells) != width:
            return None
        ext = cells[i_ext].strip()
        at = cells[i_at].strip()
        currency = cells[i_cur].strip()
        status = cells[i_status] if i_status is not None else ""
        channel = cells[i_channel] if i_channel is not None else ""
        ref = cells[i_ref].strip() if i_ref is not None else None
        if not ext or len(ext) > 100 or ext[0] == "'" or currency not in currencies:
            return None
        if ref is not None and (not ref or len(ref) > 100 or ref[0] == "'"):
            return None
        if not match_iso(at):
            return None
        total = cells[i_total].strip()
        try:
            moment = fromiso(at)
            if match_plain(total):
                amount: Decimal | str = total  # surely valid: kept as text, as SQLite stores it
            else:
                amount = Decimal(total)
                if not amount.is_finite() or amount < 0 or amount > most:
                    return None
                if amount != amount.quantize(cent):
                    return None
        except (ValueError, InvalidOperation):
            return None
        # The common "2024-03-01T10:00:00Z" needs no conversion to be stored as UTC text.
        stored = at[:10] + " " + at[11:19] if len(at) == 20 and at[19] == "Z" else None
        if status:
            if status not in statuses:
                return None
        else:
            status = default_status
        if channel:
            if channel not in channels:
                return None
        else:
            channel = default_channel
        return ext, moment, amount, currency, status, channel, ref, stored

    return check


def check_with_schema(
    values: dict[str, Any], row: int, column_of: dict[str, str]
) -> tuple[OrderCreate | None, list[RowProblem]]:
    """OrderCreate's verdict on a row, the party reference left to the import's own look-up."""
    data = {k: v for k, v in values.items() if k not in PARTY_REFS}
    if "party_external_id" in values and isinstance(values["party_external_id"], str):
        data["party_external_id"] = values["party_external_id"]
    else:
        data["party_id"] = 0  # found by e-mail or id below; OrderCreate needs one of the two
    if isinstance(data.get("lines"), str):
        try:
            data["lines"] = json.loads(data["lines"])
        except ValueError as exc:
            return None, [
                RowProblem(
                    row,
                    column_of.get("lines", "lines"),
                    short(data["lines"]),
                    f"is not a JSON list of order lines: {exc}",
                )
            ]
    try:
        return OrderCreate.model_validate(data), []
    except ValidationError as exc:
        return None, problems_from(row, field_errors(exc), column_of)


Good = tuple[SourceRow, OrderValues, int, OrderCreate | None]


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

    def process_batch(self, batch: RawBatch) -> BatchResult:
        """Check a batch of CSV rows a column at a time and write the good ones.

        The rows the column-wise check does not accept (and any batch where an external id
        comes twice) go through process(), row by row, which gives the same answer.
        """
        check = self.columns
        if check is None:
            return self.process(batch.source_rows())
        cells, width = batch.cells, len(self.mapping.columns)
        positions = list(range(len(cells)))
        if batch.problems or batch.skip or set(map(len, cells)) != {width}:
            positions = [
                i
                for i in positions
                if i not in batch.problems and i not in batch.skip and len(cells[i]) == width
            ]
        columns, party_ids, positions = self._check_columns(check, cells, positions)
        aside = set(range(len(cells))) - set(positions) - batch.skip
        slow_rows = [batch.source_row(i) for i in sorted(aside)]
        if columns is None or self._clash(columns[0], slow_rows):
            return self.process(batch.source_rows())
        result = self.process(slow_rows) if slow_rows else BatchResult()
        self._write_columns(columns, party_ids, batch, positions, result)
        return result

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

    def _write_columns(
        self,
        columns: Columns,
        party_ids: list[int],
        batch: RawBatch,
        positions: list[int],
        result: BatchResult,
    ) -> None:
        exts, refs, stored, totals, currencies, statuses, channels = columns
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        params = list(
            zip(exts, party_ids, stored, totals, currencies, statuses, channels, repeat(now))
        )
        # Orders sorted by party land next to each other in the party index: far fewer pages.
        params.sort(key=itemgetter(1))
        before, inserted = self._insert_many(params)
        if inserted == len(params):
            result.created += inserted
            return
        # Some external ids were there already (a file imported again): row by row, rarely.
        good: list[Good] = [
            (
                batch.source_row(i),
                (e, datetime.fromisoformat(at + "+00:00"), t, c, st, ch, r, at),
                pk,
                None,
            )
            for i, e, r, at, t, c, st, ch, pk in zip(
                positions,
                exts,
                refs,
                stored,
                totals,
                currencies,
                statuses,
                channels,
                party_ids,
                strict=True,
            )
        ]
        self._reconcile(good, before, result)

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
        now = connection.ops.adapt_datetimefield_value(timezone.now())
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
        names = (
            "external_id",
            "party_id",
            "ordered_at",
            "total",
            "currency",
            "status",
            "channel",
            "created_at",
        )
        column_of = {f.attname: f.column for f in Order._meta.concrete_fields}
        columns = ", ".join(quote(column_of[n]) for n in names)
        table = quote(Order._meta.db_table)
        self.max_id_sql = f"SELECT MAX({quote(column_of['id'])}) FROM {table}"  # noqa: S608  (names from the model, no input)
        return (
            f"INSERT INTO {table} ({columns}) "  # noqa: S608  (names from the model, no input)
            f"VALUES ({', '.join(['%s'] * len(names))}) "
            f"ON CONFLICT ({quote(column_of['external_id'])}) DO NOTHING"
        )

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
