"""Purchase histories summed up inside the database: one GROUP BY per party, read as arrays.

Only completed orders in the company currency count. Cancelled and refunded orders are left
out whole (the order model has no partial refunds, so "net of refunds" means a refunded order
is not a purchase); orders in other currencies are counted and reported, never converted.
Orders on the same UTC calendar day form one purchase occasion whose value is their sum.

Each order's (party, day) key and cents are read into NumPy and grouped there, by two
connections at once on a big store: on SQLite the one SQL statement that could do it all sorts
every order twice in temporary B-trees, single-threaded, and costs about a third more; on
PostgreSQL that statement runs in one backend (no parallel plan for its two levels of grouping)
and took 40 s for ten million orders where the two readers took 26 s, on the same loaded machine
(benchmarks/analytics_refresh.py, docs/benchmarks.md). The statement remains for party ids too
big to share an integer with the day.
"""

from __future__ import annotations

import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.utils.translation import gettext_lazy as _

from clientela.analytics.services.config import SettingError
from clientela.commerce.models import Order, OrderStatus
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
# From this many orders a second thread reads half of them (see _order_keys).
PARALLEL_MIN_ORDERS = 200_000


class UnreadableValue(Problem):
    """A value the database holds but cannot compute with (a date SQLite cannot read, say).

    Picklable, code, message and parameters included, like every Problem a reader may raise.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unreadable_value, (self.code, self.message, self.params))


def _unreadable_value(code: str, message: Any, params: dict[str, Any]) -> UnreadableValue:
    return UnreadableValue(code, message, **params)


@dataclass(frozen=True)
class PurchaseHistories:
    """Per customer with at least one occasion, sorted by party id; days count from 1970-01-01."""

    party_id: IntArray
    occasions: IntArray
    first_day: IntArray
    last_day: IntArray
    total: FloatArray
    first_value: FloatArray
    excluded_orders: int
    readers: int = 1  # connections that read the orders at once (SQLite: 2 on a big file)


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


def _histories_sql() -> str:
    q = connection.ops.quote_name
    table = q(Order._meta.db_table)
    party, at = q(Order._meta.get_field("party").column), q("ordered_at")
    day = day_sql(f"o.{at}")
    value = "SUM(o.total)" if connection.vendor == "sqlite" else "SUM(o.total)::float8"
    return f"""
        SELECT party_id, COUNT(*), MIN(day), MAX(day), SUM(cents), MIN(day * {SHIFT} + cents)
        FROM (
            SELECT o.{party} AS party_id, {day} AS day, {value} AS value,
                   CAST(ROUND({value} * 100) AS BIGINT) AS cents
            FROM {table} o
            WHERE o.status = %s AND o.currency = %s AND o.{at} < %s
            GROUP BY o.{party}, {day}
        ) AS occasions
        GROUP BY party_id
        ORDER BY party_id
    """  # noqa: S608  (names come from the model's metadata, values are parameters)


def _order_keys_sql(placeholder: str) -> tuple[list[str], str]:
    """Each completed order's (party, day) key and value in cents, for integer_rows; key 0 and
    -1 cents for an order in another currency, so that one pass also counts those (a CHECK
    constraint keeps every real total at 0 or more; such an order's time is not read, as in
    the SQL way). The parameters: the currency twice, status, end, and an id range."""
    q = connection.ops.quote_name
    day = day_sql(f"o.{q('ordered_at')}")
    party = f"o.{q(Order._meta.get_field('party').column)}"
    p = placeholder
    expressions = [
        f"CASE WHEN o.currency = {p} THEN {party} * {1 << DAY_BITS} + ({day} + {DAY_OFFSET}) "
        "ELSE 0 END",
        f"CASE WHEN o.currency = {p} THEN CAST(ROUND(o.total * 100) AS BIGINT) ELSE -1 END",
    ]
    rest = (
        f"FROM {q(Order._meta.db_table)} o "
        f"WHERE o.status = {p} AND o.ordered_at < {p} AND o.id >= {p} AND o.id < {p}"
    )
    return expressions, rest


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
    """Keys and cents of the orders with ids in [low, high), a range of IDS_AT_ONCE at a time."""
    expressions, rest = _order_keys_sql(placeholder)
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
            integer_rows(cursor, expressions, rest, [*head, start, stop], unreadable=unreadable)
        )
    both = np.concatenate(parts)
    return both[:, 0], both[:, 1]


def _read_keys_apart(head: list[Any], low: int, high: int) -> tuple[IntArray, IntArray]:
    """Run in a helper thread: its own connection (SQLite: read-only), never Django's."""
    if connection.vendor == "postgresql":
        import psycopg  # PostgreSQL only

        with closing(psycopg.connect(**connection.get_connection_params())) as pg:
            return _read_keys(pg.cursor(), "%s", head, low, high)
    uri = Path(str(connection.settings_dict["NAME"])).resolve().as_uri() + "?mode=ro"
    with closing(sqlite3.connect(uri, uri=True, check_same_thread=False)) as db:
        return _read_keys(db.cursor(), "?", head, low, high)


def reads_in_parallel(orders: int) -> bool:
    """Whether a second reader shares the orders: enough orders to be worth a second
    connection, a second core, and on SQLite a database file (not :memory:)."""
    if orders < PARALLEL_MIN_ORDERS or (os.cpu_count() or 1) < 2:
        return False
    return connection.vendor == "postgresql" or os.path.isfile(connection.settings_dict["NAME"])


def _order_keys(until: Any, currency: str) -> tuple[IntArray, IntArray, int]:
    """(party, day) key and value in cents of every completed order, -1 cents for those in
    another currency, and how many connections read them.

    Reading ten million orders is most of the aggregation, and it is CPU-bound; with many
    orders a helper thread reads the second half of the order ids through its own connection
    (SQLite: read-only, on a database file) while this one reads the first; both see what is
    committed (SQLite's WAL lets both read). The database computes each statement's whole
    answer (one text) while Python lets other threads run (sqlite3 inside one step, psycopg
    while it waits for the server), so the two use both cores. A
    thread, unlike the forked process it replaces, starts wherever the refresh runs: in a
    daemonic worker process too, which may not start processes of its own.
    """
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {q(Order._meta.db_table)}")  # noqa: S608  (a quoted table name; values are parameters)
        top = int(cursor.fetchone()[0]) + 1
    head = [currency, currency, OrderStatus.COMPLETED, until]
    if not reads_in_parallel(top):
        with connection.cursor() as cursor:
            key, cents = _read_keys(cursor, "%s", head, 0, top)
        return key, cents, 1
    split = top // 2
    with ThreadPoolExecutor(1, thread_name_prefix="order-reader") as helper:
        apart = helper.submit(_read_keys_apart, head, split, top)
        try:
            with connection.cursor() as cursor:
                key, cents = _read_keys(cursor, "%s", head, 0, split)
        except BaseException:
            apart.cancel()  # already running: its statements finish, its result is dropped
            raise
        other_key, other_cents = apart.result()
    return np.concatenate([key, other_key]), np.concatenate([cents, other_cents]), 2


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


def _histories_in_numpy(until: Any, currency: str) -> PurchaseHistories | None:
    """The usual way; None when party ids are too big to share an integer with the day."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {q(Party._meta.db_table)}")  # noqa: S608  (a quoted table name; values are parameters)
        biggest = cursor.fetchone()[0] or 0
    if biggest >= PARTY_LIMIT:
        return None
    key, cents, readers = _order_keys(until, currency)
    counted = cents >= 0
    excluded = int(cents.size - np.count_nonzero(counted))
    if excluded:
        key, cents = key[counted], cents[counted]
    if not key.size:
        empty_i, empty_f = np.empty(0, dtype=np.int64), np.empty(0)
        return PurchaseHistories(
            empty_i, empty_i, empty_i, empty_i, empty_f, empty_f, excluded, readers
        )
    party, occasions, first_day, last_day, total, first_value = _grouped(key, cents)
    return PurchaseHistories(
        party, occasions, first_day, last_day, total, first_value, excluded, readers
    )


def copied_integers(cursor: Any, sql: str, params: list[Any], width: int) -> IntArray:
    """PostgreSQL: the integer columns `sql` selects, as an (n, width) array, read through
    COPY TO STDOUT: text the server writes and NumPy parses, with no Python object per value
    (a million rows of six numbers fetched as tuples cost more than computing them)."""
    with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy:
        text = b"".join(bytes(block) for block in copy)
    text = text.translate(_COMMAS).rstrip(b",")
    numbers = np.fromstring(text, dtype=np.int64, sep=",") if text else np.empty(0, np.int64)
    return numbers.reshape(-1, width)


_COMMAS = bytes.maketrans(b"\t\n", b",,")


def _histories_in_sql(until: Any, currency: str) -> PurchaseHistories:
    params = [OrderStatus.COMPLETED, currency, until]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            ints = copied_integers(cursor, _histories_sql(), params, 6)
        else:
            cursor.execute(_histories_sql(), params)
            ints = np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 6)
    first_cents = ints[:, 5] - ints[:, 2] * SHIFT
    return PurchaseHistories(
        party_id=ints[:, 0],
        occasions=ints[:, 1],
        first_day=ints[:, 2],
        last_day=ints[:, 3],
        total=ints[:, 4] / 100.0,
        first_value=first_cents / 100.0,
        excluded_orders=0,
    )


def purchase_histories(*, as_of: date, currency: str) -> PurchaseHistories:
    """Each customer's occasions, first and last day, total and first-occasion value."""
    until = connection.ops.adapt_datetimefield_value(end_of(as_of))
    if connection.vendor in {"sqlite", "postgresql"}:
        hist = _histories_in_numpy(until, currency)
        if hist is not None:  # it counted the orders in other currencies on the way
            return hist
    hist = _histories_in_sql(until, currency)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {connection.ops.quote_name(Order._meta.db_table)} "  # noqa: S608  (a quoted table name; values are parameters)
            "WHERE status = %s AND currency <> %s AND ordered_at < %s",
            [OrderStatus.COMPLETED, currency, until],
        )
        excluded = int(cursor.fetchone()[0])
    return replace(hist, excluded_orders=excluded)


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
