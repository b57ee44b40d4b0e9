"""Purchase histories summed up inside the database: one GROUP BY per party, read as arrays.

Only completed orders count; cancelled and refunded ones are left out whole (no partial refunds).
An order in another currency is converted at its day's rate inside the same SQL (one rule:
commerce.queries.foreign_total_sql); one no rate covers is in no figure but counted, per customer
and per currency (unconverted.py). Orders on one UTC day form one occasion: their sum.

On PostgreSQL one SQL statement does it all (in parallel workers). On SQLite that statement
sorts every order twice in temporary B-trees, single-threaded; reading each order's (party,
day) key and cents into NumPy and grouping there costs about a third less (benchmarks/
analytics_refresh.py, docs/benchmarks.md).
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.utils.translation import gettext_lazy as _

from clientela.analytics.services.config import SettingError
from clientela.analytics.services.unconverted import Unconverted, unconverted_orders
from clientela.commerce.models import Order, OrderStatus
from clientela.commerce.queries import converted_total_sql, foreign_total_sql, rate_bases
from clientela.core.errors import Problem
from clientela.parties.models import Party

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
EPOCH = date(1970, 1, 1)
# The first occasion's value rides along its day in one MIN(): day * SHIFT + cents. Cents stay
# below SHIFT (10^12 a day per customer) and days below 9.2e18 / SHIFT (year 25,000+).
SHIFT = 10**14
# On SQLite an order's party and day travel as one integer: party * 2**DAY_BITS + day + DAY_OFFSET.
# Every day a DateTimeField holds (years 1 to 9999) maps into 1 .. 2**DAY_BITS - 1; party ids
# must stay below PARTY_LIMIT (2.2e12), or the single SQL statement is used instead.
DAY_BITS = 22
DAY_OFFSET = 719_163
PARTY_LIMIT = 1 << (63 - DAY_BITS)
# Order ids read per statement (their numbers come back as one text of a few MB).
IDS_AT_ONCE = 200_000
# From this many orders a second process reads half of them (see _order_keys).
PARALLEL_MIN_ORDERS = 2_000_000
# Party ids per statement when only some parties' histories are read (SQLite binds up to 999
# parameters in old builds).
PARTIES_AT_ONCE = 900


class UnreadableValue(Problem):
    """A value the database holds but cannot compute with (a date SQLite cannot read, say).

    Picklable, code, message and parameters included: the forked reader hands it back.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unreadable_value, (self.code, self.message, self.params))


def _unreadable_value(code: str, message: Any, params: dict[str, Any]) -> UnreadableValue:
    return UnreadableValue(code, message, **params)


NO_INTS: IntArray = np.empty(0, dtype=np.int64)


@dataclass(frozen=True)
class PurchaseHistories:
    """Per customer with at least one occasion, sorted by party id; days count from 1970-01-01.

    Orders no rate converts: `excluded_orders` counts them, `unconverted_*` say whose (party ids
    ascending, counts), `unconverted` names them per currency."""

    party_id: IntArray
    occasions: IntArray
    first_day: IntArray
    last_day: IntArray
    total: FloatArray
    first_value: FloatArray
    excluded_orders: int
    unconverted_party_id: IntArray = field(default_factory=lambda: NO_INTS)
    unconverted_orders: IntArray = field(default_factory=lambda: NO_INTS)
    unconverted: tuple[Unconverted, ...] = ()


def day_number(day: date) -> int:
    return (day - EPOCH).days


def day_of(number: int) -> date:
    return EPOCH + timedelta(days=int(number))


def end_of(as_of: date) -> datetime:
    """The first instant after the as-of day: orders from then on are ignored."""
    return datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)


def day_sql(column: str, *, date_only: bool = False) -> str:
    """SQL for the UTC day number (days since 1970-01-01) of a datetime or date column."""
    if connection.vendor == "sqlite":
        # Django stores UTC text; julianday is computed in C, so this stays fast on 10^7 rows.
        return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"
    if connection.vendor == "postgresql":
        day = column if date_only else f"({column} AT TIME ZONE 'UTC')::date"
        return f"({day} - DATE '1970-01-01')"
    raise SettingError(
        "database_not_supported",
        _("customer analytics does not support the database %(vendor)s"),
        vendor=connection.vendor,
    )


def _histories_sql(currency: str, bases: list[str], parties: int = 0) -> tuple[str, list[Any]]:
    """Per party: occasions, first and last day, total, first day * SHIFT + its cents, and the
    orders no rate converts; parameters: the conversion's, then status and end, then (with
    `parties`) that many party ids."""
    q = connection.ops.quote_name
    table = q(Order._meta.db_table)
    party, at = q(Order._meta.get_field("party").column), q("ordered_at")
    day = day_sql(f"o.{at}")
    value, params = converted_total_sql(
        total="o.total", currency="o.currency", at=f"o.{at}", to=currency, bases=bases
    )
    if connection.vendor != "sqlite":
        value = f"({value})::float8"
    known = "CASE WHEN value IS NULL THEN NULL ELSE day END"
    sql = f"""
        SELECT party_id, COUNT(value), MIN({known}), MAX({known}), SUM(value),
               MIN(CASE WHEN value IS NULL THEN NULL ELSE day * {SHIFT} + cents END),
               SUM(missing)
        FROM (
            SELECT party_id, day, SUM(value) AS value,
                   CAST(ROUND(SUM(value) * 100) AS BIGINT) AS cents,
                   COUNT(*) - COUNT(value) AS missing
            FROM (
                SELECT o.{party} AS party_id, {day} AS day, {value} AS value
                FROM {table} o
                WHERE o.status = %s AND o.{at} < %s{_among(party, parties)}
            ) AS orders
            GROUP BY party_id, day
        ) AS occasions
        GROUP BY party_id
        ORDER BY party_id
    """  # noqa: S608  (names come from the model's metadata, values are parameters)
    return sql, params


def _order_keys_sql(
    placeholder: str, currency: str, bases: list[str]
) -> tuple[list[str], str, list[Any]]:
    """Each completed order's (party, day) key and value in cents (in `currency`, converted at
    its day's rate), for integer_rows; -1 cents for an order no rate converts (a CHECK
    constraint keeps every real total at 0 or more). Returns the expressions, the FROM ...
    WHERE text and the expressions' parameters; the WHERE's follow: status, end, an id range."""
    q = connection.ops.quote_name
    at = f"o.{q('ordered_at')}"
    day = day_sql(at)
    party = f"o.{q(Order._meta.get_field('party').column)}"
    p = placeholder
    # Orders in the reporting currency skip the conversion (and its look-ups) altogether.
    foreign, params = foreign_total_sql(
        total="o.total", currency="o.currency", at=at, to=currency, bases=bases, placeholder=p
    )
    expressions = [
        f"{party} * {1 << DAY_BITS} + ({day} + {DAY_OFFSET})",
        f"CASE WHEN o.currency = {p} THEN CAST(ROUND(o.total * 100) AS INTEGER) "
        f"ELSE COALESCE(CAST(ROUND(({foreign}) * 100) AS INTEGER), -1) END",
    ]
    rest = (
        f"FROM {q(Order._meta.db_table)} o "
        f"WHERE o.status = {p} AND o.ordered_at < {p} AND o.id >= {p} AND o.id < {p}"
    )
    return expressions, rest, [currency, *params]


def integer_rows(
    cursor: Any, expressions: list[str], rest: str, params: list[Any], *, unreadable: Problem
) -> IntArray:
    """The integer `expressions` of the rows `rest` ("FROM ... WHERE ...") selects, as an
    (n, len(expressions)) array in no particular order.

    The rows come back as one text, their numbers joined by commas: the database writes them and
    NumPy reads them back, both in C, where a row at a time costs a tuple and a Python integer
    per value (4.3 s against 2.9 s for five million orders here, 1.7 s of it SQLite's own).
    A value the database cannot compute (a date SQLite cannot read, say) would be missing from
    the text: `unreadable` is then raised, saying which.
    """
    joined = " || ',' || ".join(f"CAST(({e}) AS TEXT)" for e in expressions)
    concat = "group_concat" if connection.vendor == "sqlite" else "string_agg"
    cursor.execute(f"SELECT {concat}({joined}, ','), COUNT(*) {rest}", params)
    text, count = cursor.fetchone()
    numbers = np.fromstring(text, dtype=np.int64, sep=",") if text else np.empty(0, np.int64)
    if numbers.size != len(expressions) * count:
        raise unreadable
    return numbers.reshape(-1, len(expressions))


def _read_keys(
    cursor: Any, placeholder: str, head: list[Any], low: int, high: int
) -> tuple[IntArray, IntArray]:
    """Keys and cents of the orders with ids in [low, high), a range of IDS_AT_ONCE at a time.

    `head`: the reporting currency, the rate bases, then the WHERE's status and end."""
    currency, bases, *where = head
    expressions, rest, params = _order_keys_sql(placeholder, currency, bases)
    parts = [np.empty((0, 2), dtype=np.int64)]
    for start in range(low, high, IDS_AT_ONCE):
        stop = min(start + IDS_AT_ONCE, high)
        unreadable = UnreadableValue(
            "order_time_unreadable",
            _(
                "ordered_at: an order with an id from %(first)s to %(last)s holds a value that "
                "is not a date and time; correct it in commerce_order and refresh again"
            ),
            first=start,
            last=stop - 1,
        )
        parts.append(
            integer_rows(
                cursor, expressions, rest, [*params, *where, start, stop], unreadable=unreadable
            )
        )
    both = np.concatenate(parts)
    return both[:, 0], both[:, 1]


def _read_keys_apart(path: str, head: list[Any], low: int, high: int) -> tuple[IntArray, IntArray]:
    """Run in a forked process: its own read-only SQLite connection, never Django's."""
    with closing(sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)) as db:
        return _read_keys(db.cursor(), "?", head, low, high)


def _order_keys(until: Any, currency: str, bases: list[str]) -> tuple[IntArray, IntArray]:
    """(party, day) key and value in cents of every completed order, -1 cents for those no
    rate converts (SQLite).

    Reading ten million orders is most of the aggregation, and it is CPU-bound; on a database
    file with many orders a forked process reads the second half of the order ids through its
    own connection while this one reads the first (WAL lets both read).
    """
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {q(Order._meta.db_table)}")  # noqa: S608  (a quoted table name; values are parameters)
        top = int(cursor.fetchone()[0]) + 1
    path = str(connection.settings_dict["NAME"])
    head = [currency, bases, OrderStatus.COMPLETED, until]
    split = top // 2
    apart = None
    if top >= PARALLEL_MIN_ORDERS and (os.cpu_count() or 1) > 1 and os.path.isfile(path):
        context = multiprocessing.get_context("fork")
        pool = context.Pool(1)
        apart = pool.apply_async(_read_keys_apart, (path, head, split, top))
        pool.close()
    try:
        with connection.cursor() as cursor:
            key, cents = _read_keys(cursor, "%s", head, 0, split if apart is not None else top)
        if apart is not None:
            other_key, other_cents = apart.get()
            key, cents = np.concatenate([key, other_key]), np.concatenate([cents, other_cents])
    finally:
        if apart is not None:  # stopped at once if this half failed; else already done
            pool.terminate()
            pool.join()
    return key, cents


def _sorted_by_key(key: IntArray, cents: IntArray) -> tuple[IntArray, IntArray]:
    """Keys ascending, each with its cents.

    When a key (renumbered densely: party x days spanned + day) and the cents fit together in
    one 63-bit integer, they are packed and sorted as one array: NumPy sorts plain integers
    several times faster than it finds the sorting order of one array and applies it to two
    (1.0 s against 2.0 s for ten million orders here). Otherwise, that slower way.
    """
    if not key.size:
        return key, cents
    party, day = key >> DAY_BITS, key & ((1 << DAY_BITS) - 1)
    low, span = int(day.min()), int(day.max() - day.min()) + 1
    cent_bits = int(cents.max()).bit_length()
    if ((int(party.max()) + 1) * span).bit_length() + cent_bits > 62:
        order = np.argsort(key)
        return key[order], cents[order]
    packed = ((party * span + (day - low)) << cent_bits) | cents
    packed.sort()
    dense = packed >> cent_bits
    return ((dense // span) << DAY_BITS) | (dense % span + low), packed & ((1 << cent_bits) - 1)


def _grouped(
    key: IntArray, cents: IntArray
) -> tuple[IntArray, IntArray, IntArray, IntArray, FloatArray, FloatArray]:
    """Per party (ascending): party id, occasions, first day, last day, total and first-day
    value, from unsorted (party, day) keys and order values in cents.

    Sums are of whole cents, so exact: the SQL statement adds floating-point totals, and its
    last bit depends on the order its sorter hands the rows over.
    """
    key, cents = _sorted_by_key(key, cents)
    new_day = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    day_key, day_cents = key[new_day], np.add.reduceat(cents, new_day)
    party, day = day_key >> DAY_BITS, (day_key & ((1 << DAY_BITS) - 1)) - DAY_OFFSET
    first = np.flatnonzero(np.r_[True, party[1:] != party[:-1]])
    last = np.r_[first[1:], party.size] - 1
    return (
        party[first],
        np.diff(np.r_[first, party.size]),
        day[first],
        day[last],
        np.add.reduceat(day_cents, first) / 100.0,
        day_cents[first] / 100.0,
    )


def _histories_in_numpy(until: Any, currency: str, bases: list[str]) -> PurchaseHistories | None:
    """The SQLite way; None when party ids are too big to share an integer with the day."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {q(Party._meta.db_table)}")  # noqa: S608  (a quoted table name; values are parameters)
        biggest = cursor.fetchone()[0] or 0
    if biggest >= PARTY_LIMIT:
        return None
    key, cents = _order_keys(until, currency, bases)
    counted = cents >= 0
    excluded = int(cents.size - np.count_nonzero(counted))
    missing_party, missing = NO_INTS, NO_INTS
    if excluded:
        missing_party, counts = np.unique(key[~counted] >> DAY_BITS, return_counts=True)
        missing = counts.astype(np.int64)
        key, cents = key[counted], cents[counted]
    grouped = _grouped(key, cents) if key.size else (NO_INTS,) * 4 + (np.empty(0),) * 2
    return PurchaseHistories(*grouped, excluded, missing_party, missing)


def _among(column: str, parties: int) -> str:
    return f" AND o.{column} IN ({', '.join(['%s'] * parties)})" if parties else ""


def _parts(party_ids: list[int]) -> list[list[int]]:
    """Ascending ids in groups small enough for one statement's parameters."""
    ids = sorted(set(party_ids))
    return [ids[i : i + PARTIES_AT_ONCE] for i in range(0, len(ids), PARTIES_AT_ONCE)]


def _histories_in_sql(
    until: Any, currency: str, bases: list[str], party_ids: list[int] | None = None
) -> PurchaseHistories:
    rows: list[Any] = []
    with connection.cursor() as cursor:
        for part in [None] if party_ids is None else _parts(party_ids):
            sql, params = _histories_sql(currency, bases, len(part or []))
            cursor.execute(sql, [*params, OrderStatus.COMPLETED, until, *(part or [])])
            rows += cursor.fetchall()
    if not rows:
        empty_i, empty_f = np.empty(0, dtype=np.int64), np.empty(0)
        return PurchaseHistories(empty_i, empty_i, empty_i, empty_i, empty_f, empty_f, 0)
    missing = np.array([(r[0], r[6] or 0) for r in rows], dtype=np.int64)
    bought = [r for r in rows if r[1]]
    ints = np.array([(r[0], r[1], r[2], r[3], r[5]) for r in bought], dtype=np.int64)
    ints = ints.reshape(-1, 5)
    total = np.array([r[4] for r in bought], dtype=np.float64)
    first_cents = ints[:, 4] - ints[:, 2] * SHIFT
    some = missing[:, 1] > 0
    return PurchaseHistories(
        party_id=ints[:, 0],
        occasions=ints[:, 1],
        first_day=ints[:, 2],
        last_day=ints[:, 3],
        total=total,
        first_value=first_cents / 100.0,
        excluded_orders=int(missing[:, 1].sum()),
        unconverted_party_id=missing[some, 0],
        unconverted_orders=missing[some, 1],
    )


def purchase_histories(
    *, as_of: date, currency: str, party_ids: list[int] | None = None
) -> PurchaseHistories:
    """Each customer's occasions, first and last day, total and first-occasion value, in
    `currency`; and the orders no rate converts, per customer and per currency.

    With `party_ids`, only those parties' (a customer's metrics updated after an order): the
    same aggregation, its SQL form restricted to them, without the per-currency report.
    """
    until = connection.ops.adapt_datetimefield_value(end_of(as_of))
    bases = rate_bases()
    hist = None
    if connection.vendor == "sqlite" and party_ids is None:
        hist = _histories_in_numpy(until, currency, bases)
    if hist is None:
        hist = _histories_in_sql(until, currency, bases, party_ids)
    if hist.excluded_orders and party_ids is None:
        hist = replace(hist, unconverted=unconverted_orders(until, currency, bases))
    return hist


def active_party_ids() -> IntArray:
    """Ids of every party that is not archived, ascending."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        ids = integer_rows(
            cursor,
            ["id"],
            f"FROM {q(Party._meta.db_table)} WHERE archived_at IS NULL",
            [],
            unreadable=UnreadableValue(
                "party_id_unreadable", _("parties_party.id: an id is not a number")
            ),
        )
    return np.sort(ids[:, 0])
