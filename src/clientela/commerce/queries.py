"""Read side of commerce: exchange rates, and the one rule that converts an order's total.

An order's total is converted at the rate of its day (its UTC calendar day): the latest rate
on or before that day, at most CLIENTELA_RATE_LOOKBACK_DAYS earlier (the ECB publishes none at
weekends and on holidays); older than that is no rate. Two currencies are crossed through a
base that has a rate for both (EUR for the ECB's rates): amount x rate(to) / rate(from),
rounded to the cent. The rule is written once, as SQL, so that the analytics aggregation runs
it inside the database, set-based, for one customer's orders or for all of them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.commerce.models import ExchangeRate, Order
from clientela.core.errors import NotFound
from clientela.parties.queries import visible_parties


def exchange_rates(
    *,
    currency: str | None = None,
    base: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[ExchangeRate]:
    """Rates, newest day first, optionally of one currency or base and within days."""
    rows = ExchangeRate.objects.select_related("recorded_by")
    if currency:
        rows = rows.filter(currency=currency)
    if base:
        rows = rows.filter(base=base)
    if since:
        rows = rows.filter(day__gte=since)
    if until:
        rows = rows.filter(day__lte=until)
    return rows.order_by("-day", "base", "currency")


def rate_bases() -> list[str]:
    """The base currencies rates are recorded against, the one with most rates first."""
    counted = ExchangeRate.objects.values("base").annotate(n=Count("pk")).order_by("-n", "base")
    return [row["base"] for row in counted]


def lookback_days() -> int:
    return max(0, int(settings.CLIENTELA_RATE_LOOKBACK_DAYS))


def utc_day_sql(column: str) -> str:
    """SQL for the UTC calendar day of a datetime column, comparable with a DateField."""
    if connection.vendor == "postgresql":
        return f"(({column}) AT TIME ZONE 'UTC')::date"
    return f"date({column})"  # SQLite stores UTC text; the rates' days are ISO text


def _days_before_sql(column: str, days: int) -> str:
    if connection.vendor == "postgresql":
        return f"({utc_day_sql(column)} - {int(days)})"
    return f"date({column}, '-{int(days)} days')"


def _leg_sql(code: str, base: str, at: str, p: str) -> str:
    """How many units of `code` (SQL) one unit of `base` (a parameter) bought at `at`."""
    q = connection.ops.quote_name
    # Names from the model's metadata and SQL of our own; values are parameters.
    return (
        f"CASE WHEN {code} = {p} THEN 1 ELSE ("  # noqa: S608  (see above)
        f"SELECT r.{q('rate')} FROM {q(ExchangeRate._meta.db_table)} r "
        f"WHERE r.{q('base')} = {p} AND r.{q('currency')} = {code} "
        f"AND r.{q('day')} <= {utc_day_sql(at)} "
        f"AND r.{q('day')} >= {_days_before_sql(at, lookback_days())} "
        f"ORDER BY r.{q('day')} DESC LIMIT 1) END"
    )


def foreign_total_sql(
    *, total: str, currency: str, at: str, to: str, bases: list[str], placeholder: str = "%s"
) -> tuple[str, list[Any]]:
    """SQL for an order's total in `to`, for an order in another currency; NULL when no rate
    covers its day. `total`, `currency` and `at` (a datetime) are SQL column expressions;
    `bases` come from rate_bases(). Returns the expression and its parameters, in order."""
    if not bases:
        return "NULL", []
    p = placeholder
    factors: list[str] = []
    params: list[Any] = []
    for base in bases:
        # Parameters in the order they appear: the target leg names `to` twice (the code
        # compared with the base, and the rate looked up), the order's leg names only the base.
        to_leg, from_leg = _leg_sql(p, base, at, p), _leg_sql(currency, base, at, p)
        factors.append(f"(({to_leg}) * 1.0 / ({from_leg}))")
        params += [to, base, base, to, base, base]
    factor = factors[0] if len(factors) == 1 else f"COALESCE({', '.join(factors)})"
    return f"ROUND({total} * {factor}, 2)", params


def converted_total_sql(
    *, total: str, currency: str, at: str, to: str, bases: list[str], placeholder: str = "%s"
) -> tuple[str, list[Any]]:
    """SQL for any order's total in `to`: as it is in that currency, converted otherwise, NULL
    when no rate covers its day. Parameters as foreign_total_sql's."""
    foreign, params = foreign_total_sql(
        total=total, currency=currency, at=at, to=to, bases=bases, placeholder=placeholder
    )
    p = placeholder
    return f"CASE WHEN {currency} = {p} THEN {total} ELSE {foreign} END", [to, *params]


# --- one order -----------------------------------------------------------------------------


def get_visible_order(user: User, order_id: int) -> Order:
    """The order with its party and lines, if the user may see its party; NotFound otherwise
    (the same answer as for an order that does not exist)."""
    order = (
        Order.objects.filter(pk=order_id, party__in=visible_parties(user))
        .select_related("party")
        .prefetch_related("lines")
        .first()
    )
    if order is None:
        raise NotFound(_("order %(id)s not found"), code="order_not_found", params={"id": order_id})
    return order


def order_total_in(order: Order, currency: str) -> Decimal | None:
    """The order's total in `currency` by the one conversion rule (the rate of its day): the
    total itself in its own currency, None when no rate covers its day."""
    if order.currency == currency:
        return order.total
    q = connection.ops.quote_name
    table = q(Order._meta.db_table)
    value, params = converted_total_sql(
        total=f"o.{q('total')}", currency=f"o.{q('currency')}", at=f"o.{q('ordered_at')}",
        to=currency, bases=rate_bases(),
    )  # fmt: skip
    with connection.cursor() as cursor:
        # Column names and SQL of our own; values are parameters.
        cursor.execute(
            f"SELECT {value} FROM {table} o WHERE o.{q('id')} = %s",  # noqa: S608  (see above)
            [*params, order.pk],
        )
        row = cursor.fetchone()
    if row is None or row[0] is None:
        return None
    return Decimal(str(row[0])).quantize(Decimal("0.01"))
