"""Purchase histories summed up inside the database: one GROUP BY per party, read as arrays.

Only completed orders count; cancelled and refunded ones are left out whole (no partial refunds).
An order in another currency is converted at its day's rate inside the same SQL (one rule:
commerce.queries.foreign_total_sql); one no rate covers is in no figure but counted, per customer
and per currency (unconverted.py). Orders on one UTC day form one occasion: their sum.

Each order's (party, day) key and cents are read into NumPy (order_reading.py: by two
connections at once on a big store) and grouped there: on SQLite the one SQL statement that
could do it all sorts every order twice in temporary B-trees, single-threaded, and costs about a
third more; on PostgreSQL that statement runs in one backend (no parallel plan for its two
levels of grouping) and took 40 s for ten million orders where the two readers took 26 s, on
the same loaded machine (benchmarks/analytics_refresh.py, docs/benchmarks.md; measured before
the conversion). The statement remains for party ids too big to share an integer with the day,
and for some parties' histories (`party_ids`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.utils.translation import gettext_lazy as _

from clientela.analytics.services.order_reading import (
    DAY_BITS,
    DAY_OFFSET,
    PARTY_LIMIT,
    UnreadableValue,
    copied_integers,
    day_sql,
    integer_rows,
    order_keys,
)
from clientela.analytics.services.unconverted import Unconverted, unconverted_orders
from clientela.commerce.models import Order, OrderStatus
from clientela.commerce.queries import converted_total_sql, rate_bases
from clientela.parties.models import Party

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
EPOCH = date(1970, 1, 1)
# The first occasion's value rides along its day in one MIN(): day * SHIFT + cents. Cents stay
# below SHIFT (10^12 a day per customer) and days below 9.2e18 / SHIFT (year 25,000+).
SHIFT = 10**14
# Party ids per statement when only some parties' histories are read (SQLite binds up to 999
# parameters in old builds).
PARTIES_AT_ONCE = 900
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
    readers: int = 1  # connections that read the orders at once (2 on a big store)


def day_number(day: date) -> int:
    return (day - EPOCH).days


def day_of(number: int) -> date:
    return EPOCH + timedelta(days=int(number))


def end_of(as_of: date) -> datetime:
    """The first instant after the as-of day: orders from then on are ignored."""
    return datetime.combine(as_of + timedelta(days=1), time.min, tzinfo=UTC)


def _histories_sql(currency: str, bases: list[str], parties: int = 0) -> tuple[str, list[Any]]:
    """Per party, all integers: occasions, first and last day, total cents, first day * SHIFT +
    its cents (0 for all four without an occasion), and the orders no rate converts;
    parameters: the conversion's, then status and end, then (with `parties`) that many party
    ids. Whole cents are summed as integers, as in the NumPy way, so both give the same."""
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
        SELECT party_id, COUNT(value), COALESCE(MIN({known}), 0), COALESCE(MAX({known}), 0),
               COALESCE(SUM(cents), 0),
               COALESCE(MIN(CASE WHEN value IS NULL THEN NULL ELSE day * {SHIFT} + cents END), 0),
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
    """The usual way; None when party ids are too big to share an integer with the day."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {q(Party._meta.db_table)}")  # noqa: S608  (a quoted table name; values are parameters)
        biggest = cursor.fetchone()[0] or 0
    if biggest >= PARTY_LIMIT:
        return None
    key, cents, readers = order_keys(until, currency, bases)
    counted = cents >= 0
    excluded = int(cents.size - np.count_nonzero(counted))
    missing_party, missing = NO_INTS, NO_INTS
    if excluded:
        missing_party, counts = np.unique(key[~counted] >> DAY_BITS, return_counts=True)
        missing = counts.astype(np.int64)
        key, cents = key[counted], cents[counted]
    grouped = _grouped(key, cents) if key.size else (NO_INTS,) * 4 + (np.empty(0),) * 2
    return PurchaseHistories(*grouped, excluded, missing_party, missing, readers=readers)


def _among(column: str, parties: int) -> str:
    return f" AND o.{column} IN ({', '.join(['%s'] * parties)})" if parties else ""


def _parts(party_ids: list[int]) -> list[list[int]]:
    """Ascending ids in groups small enough for one statement's parameters."""
    ids = sorted(set(party_ids))
    return [ids[i : i + PARTIES_AT_ONCE] for i in range(0, len(ids), PARTIES_AT_ONCE)]


def _histories_in_sql(
    until: Any, currency: str, bases: list[str], party_ids: list[int] | None = None
) -> PurchaseHistories:
    """The single statement (per PARTIES_AT_ONCE parties with `party_ids`); on PostgreSQL its
    answer is read through COPY TO STDOUT."""
    parts = [np.empty((0, 7), dtype=np.int64)]
    with connection.cursor() as cursor:
        for part in [None] if party_ids is None else _parts(party_ids):
            sql, params = _histories_sql(currency, bases, len(part or []))
            params = [*params, OrderStatus.COMPLETED, until, *(part or [])]
            if connection.vendor == "postgresql":
                parts.append(copied_integers(cursor, sql, params, 7))
            else:
                cursor.execute(sql, params)
                parts.append(np.array(cursor.fetchall(), dtype=np.int64).reshape(-1, 7))
    rows = np.concatenate(parts)
    ints, missing = rows[rows[:, 1] > 0], rows[:, [0, 6]]
    some = missing[:, 1] > 0
    return PurchaseHistories(
        party_id=ints[:, 0],
        occasions=ints[:, 1],
        first_day=ints[:, 2],
        last_day=ints[:, 3],
        total=ints[:, 4] / 100.0,
        first_value=(ints[:, 5] - ints[:, 2] * SHIFT) / 100.0,
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
    if party_ids is None:
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
