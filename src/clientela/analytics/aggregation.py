"""Purchase histories summed up inside the database: one GROUP BY per party, read as arrays.

Only completed orders in the company currency count. Cancelled and refunded orders are left
out whole (the order model has no partial refunds, so "net of refunds" means a refunded order
is not a purchase); orders in other currencies are counted and reported, never converted.
Orders on the same UTC calendar day form one purchase occasion whose value is their sum.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import numpy.typing as npt
from django.db import connection

from clientela.commerce.models import Order, OrderStatus
from clientela.parties.models import Party

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
EPOCH = date(1970, 1, 1)
# The first occasion's value rides along its day in one MIN(): day * SHIFT + cents. Cents stay
# below SHIFT (10^12 a day per customer) and days below 9.2e18 / SHIFT (year 25,000+).
SHIFT = 10**14


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
    raise NotImplementedError(f"customer analytics does not support {connection.vendor}")


def _histories_sql() -> str:
    q = connection.ops.quote_name
    table = q(Order._meta.db_table)
    party, at = q(Order._meta.get_field("party").column), q("ordered_at")
    day = day_sql(f"o.{at}")
    value = "SUM(o.total)" if connection.vendor == "sqlite" else "SUM(o.total)::float8"
    return f"""
        SELECT party_id, COUNT(*), MIN(day), MAX(day), SUM(value), MIN(day * {SHIFT} + cents)
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


def purchase_histories(*, as_of: date, currency: str) -> PurchaseHistories:
    """Each customer's occasions, first and last day, total and first-occasion value."""
    until = connection.ops.adapt_datetimefield_value(end_of(as_of))
    with connection.cursor() as cursor:
        cursor.execute(_histories_sql(), [OrderStatus.COMPLETED, currency, until])
        rows = cursor.fetchall()
        cursor.execute(
            f"SELECT COUNT(*) FROM {connection.ops.quote_name(Order._meta.db_table)} "  # noqa: S608
            "WHERE status = %s AND currency <> %s AND ordered_at < %s",
            [OrderStatus.COMPLETED, currency, until],
        )
        excluded = int(cursor.fetchone()[0])
    if not rows:
        empty_i, empty_f = np.empty(0, dtype=np.int64), np.empty(0)
        return PurchaseHistories(empty_i, empty_i, empty_i, empty_i, empty_f, empty_f, excluded)
    ints = np.array([(r[0], r[1], r[2], r[3], r[5]) for r in rows], dtype=np.int64)
    total = np.array([r[4] for r in rows], dtype=np.float64)
    first_cents = ints[:, 4] - ints[:, 2] * SHIFT
    return PurchaseHistories(
        party_id=ints[:, 0],
        occasions=ints[:, 1],
        first_day=ints[:, 2],
        last_day=ints[:, 3],
        total=total,
        first_value=first_cents / 100.0,
        excluded_orders=excluded,
    )


def active_party_ids() -> IntArray:
    """Ids of every party that is not archived, ascending."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {q(Party._meta.db_table)} "  # noqa: S608
            "WHERE archived_at IS NULL ORDER BY id"
        )
        return np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)
