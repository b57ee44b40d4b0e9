"""Reading every completed order's (party, day) key and cents into NumPy, by one connection or
two at once, and reading any statement's integers fast (one text the database writes and NumPy
parses; on PostgreSQL, COPY … TO STDOUT).

Reading ten million orders is most of a refresh, and it is CPU-bound. With many orders a helper
thread reads the upper half of the order ids through its own connection (SQLite: read-only, on
a database file) while the refresh reads the lower half; both see what is committed (SQLite's
WAL lets both read). The database computes each statement's whole answer (one text) while
Python lets the other thread run (sqlite3 inside one step, psycopg while it waits for the
server), so both cores work. A thread, unlike a forked process, starts wherever the refresh
runs: in a daemonic worker process too, which may not start processes of its own.
"""

from __future__ import annotations

import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.utils.translation import gettext_lazy as _

from clientela.analytics.services.config import SettingError
from clientela.commerce.models import Order, OrderStatus
from clientela.commerce.queries import foreign_total_sql
from clientela.core.errors import Problem

IntArray = npt.NDArray[np.int64]
# An order's party and day travel as one integer: party * 2**DAY_BITS + day + DAY_OFFSET.
# Every day a DateTimeField holds (years 1 to 9999) maps into 1 .. 2**DAY_BITS - 1; party ids
# must stay below PARTY_LIMIT (2.2e12), or the aggregation's single SQL statement is used.
DAY_BITS = 22
DAY_OFFSET = 719_163
PARTY_LIMIT = 1 << (63 - DAY_BITS)
# Order ids read per statement (their numbers come back as one text of a few MB).
IDS_AT_ONCE = 200_000
# From this many orders (by id) a second connection, in a helper thread, reads half of them.
PARALLEL_MIN_ORDERS = 200_000


class UnreadableValue(Problem):
    """A value the database holds but cannot compute with (a date SQLite cannot read, say).

    Picklable, code, message and parameters included, like every Problem a reader may raise.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_unreadable_value, (self.code, self.message, self.params))


def _unreadable_value(code: str, message: Any, params: dict[str, Any]) -> UnreadableValue:
    return UnreadableValue(code, message, **params)


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


def copied_integers(cursor: Any, sql: str, params: list[Any], width: int) -> IntArray:
    """PostgreSQL: the integer columns (never NULL) `sql` selects, as an (n, width) array, read
    through COPY TO STDOUT: text the server writes and NumPy parses, with no Python object per
    value (a million rows of six numbers fetched as tuples cost more than computing them)."""
    with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT", params) as copy:
        text = b"".join(bytes(block) for block in copy)
    text = text.translate(_COMMAS).rstrip(b",")
    numbers = np.fromstring(text, dtype=np.int64, sep=",") if text else np.empty(0, np.int64)
    return numbers.reshape(-1, width)


_COMMAS = bytes.maketrans(b"\t\n", b",,")


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
        f"CASE WHEN o.currency = {p} THEN CAST(ROUND(o.total * 100) AS BIGINT) "
        f"ELSE COALESCE(CAST(ROUND(({foreign}) * 100) AS BIGINT), -1) END",
    ]
    rest = (
        f"FROM {q(Order._meta.db_table)} o "
        f"WHERE o.status = {p} AND o.ordered_at < {p} AND o.id >= {p} AND o.id < {p}"
    )
    return expressions, rest, [currency, *params]


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


def _read_keys_apart(head: list[Any], low: int, high: int) -> tuple[IntArray, IntArray]:
    """Run in a helper thread: its own connection (SQLite: read-only), never Django's."""
    if connection.vendor == "postgresql":
        import psycopg  # PostgreSQL only: SQLite installs need not load it

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


def order_keys(until: Any, currency: str, bases: list[str]) -> tuple[IntArray, IntArray, int]:
    """(party, day) key and value in cents of every completed order before `until`, -1 cents
    for those no rate converts, and how many connections read them (1 or 2)."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {q(Order._meta.db_table)}")  # noqa: S608  (a quoted table name; values are parameters)
        top = int(cursor.fetchone()[0]) + 1
    head = [currency, bases, OrderStatus.COMPLETED, until]
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
