"""The orders no exchange rate converts into the reporting currency, named per currency.

They are in none of the figures; the refresh records them (RefreshRun.unconverted) and the
dashboard and the command say what to do. Counted in the aggregation's pass; named here, in
one more pass over the orders, made only when that pass found some.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection

from clientela.commerce.models import Order, OrderStatus
from clientela.commerce.queries import foreign_total_sql, utc_day_sql


@dataclass(frozen=True)
class Unconverted:
    """Completed orders in one currency that no exchange rate covers: left out, named here."""

    currency: str
    orders: int
    value: float  # in that currency
    first_day: date
    last_day: date


def unconverted_orders(until: Any, currency: str, bases: list[str]) -> tuple[Unconverted, ...]:
    """The completed orders before `until` that no rate converts into `currency`, per currency:
    how many, their value and their first and last (UTC) day."""
    q = connection.ops.quote_name
    at = f"o.{q('ordered_at')}"
    foreign, params = foreign_total_sql(
        total="o.total", currency="o.currency", at=at, to=currency, bases=bases
    )
    day = utc_day_sql(at)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT o.currency, COUNT(*), SUM(o.total), MIN({day}), MAX({day}) "  # noqa: S608  (names from the model's metadata, values are parameters)
            f"FROM {q(Order._meta.db_table)} o "
            f"WHERE o.status = %s AND {at} < %s AND o.currency <> %s "
            f"AND ({foreign}) IS NULL GROUP BY o.currency ORDER BY o.currency",
            [OrderStatus.COMPLETED, until, currency, *params],
        )
        rows = cursor.fetchall()
    return tuple(
        Unconverted(
            currency=code,
            orders=int(n),
            value=round(float(value or 0), 2),
            first_day=date.fromisoformat(str(first)),
            last_day=date.fromisoformat(str(last)),
        )
        for code, n, value, first, last in rows
    )
