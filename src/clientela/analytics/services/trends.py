"""Revenue and customers per month: the trends the analytics pages and the API show.

Everything is counted over the parties the reader may see, narrowed by a team, an owner and a
segment (the segments app's party-list filter, reached through core.registries), and over their
completed orders in the period: in the reporting currency (each order converted at its day's
rate, as the refresh does; an order no rate converts is counted apart) or, with a currency
named, over the orders in that currency only, in that currency.

Per month (UTC): revenue, orders, customers who bought (active), customers whose first purchase
it was (new) and customers found lost by the lifecycle (a change of state to "lost" whose as-of
day falls in the month). The party list reads the same rules back as URL filters (`ordered`,
`first_ordered`, `order_currency`, `lost`: analytics.services.party_filters), so every figure
links to the parties behind it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, FloatField, OuterRef, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Right, User
from clientela.accounts.services import require_right
from clientela.analytics.models import LifecycleChange, LifecycleState
from clientela.commerce.models import Order, OrderStatus
from clientela.commerce.queries import converted_total_sql, rate_bases
from clientela.core.cells import neutralise
from clientela.core.errors import Invalid, invalid
from clientela.core.money import CENT, is_currency
from clientela.core.registries import party_filters
from clientela.parties.models import Party
from clientela.parties.queries import visible_parties

MAX_MONTHS = 120
DEFAULT_MONTHS = 12
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
LAST_YEAR = 9998  # the month after a period must still be a date


def parse_month(field: str, text: str) -> date:
    """ "2026-03" -> date(2026, 3, 1); Invalid naming the field otherwise."""
    found = _MONTH.match(text)
    if found is None or not 1 <= int(found[2]) <= 12 or not 1 <= int(found[1]) <= LAST_YEAR:
        raise invalid(field, text, _("is not a month written YYYY-MM"), code="month_invalid")
    return date(int(found[1]), int(found[2]), 1)


def parse_months(field: str, text: str) -> tuple[date, date]:
    """ "2026-03" or "2026-01..2026-03": the first days of the first and last months."""
    first, sep, last = text.partition("..")
    start = parse_month(field, first)
    end = parse_month(field, last) if sep else start
    check_period(field, text, start, end)
    return start, end


def check_period(field: str, value: Any, start: date, end: date) -> None:
    """A period runs forwards and spans at most MAX_MONTHS months."""
    if end < start:
        raise invalid(field, value, _("ends before it starts"), code="period_ends_before_start")
    if month_index(end) - month_index(start) + 1 > MAX_MONTHS:
        raise invalid(
            field, value, _("spans more than %(max)s months"), code="period_too_long",
            max=MAX_MONTHS,
        )  # fmt: skip


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_of(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def month_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants from the first day of `start` to the first day after `end`'s month."""
    after = month_of(month_index(end) + 1)
    return datetime.combine(start, time.min, tzinfo=UTC), datetime.combine(after, time.min, UTC)


@dataclass(frozen=True)
class TrendFilters:
    """What a trend covers: months (first days), and who; `currency` "" means the reporting
    currency (orders converted), a code the orders in that currency only, unconverted."""

    start: date
    end: date
    team_id: int | None = None
    owner_id: int | None = None
    segment_id: int | None = None
    currency: str = ""


def trend_filters(
    *,
    from_month: str = "",
    to_month: str = "",
    team_id: int | None = None,
    owner_id: int | None = None,
    segment_id: int | None = None,
    currency: str = "",
    today: date | None = None,
) -> TrendFilters:
    """The filters checked; the period defaults to the twelve months up to this one (UTC)."""
    this_month = (today or timezone.now().astimezone(UTC).date()).replace(day=1)
    start = parse_month("from_month", from_month) if from_month else None
    if to_month:
        end = parse_month("to_month", to_month)
    elif start is None:
        end = this_month
    else:  # up to this month, within MAX_MONTHS
        first = month_index(start)
        end = month_of(max(min(month_index(this_month), first + MAX_MONTHS - 1), first))
    if start is None:
        start = month_of(max(month_index(end) - DEFAULT_MONTHS + 1, 12))
    check_period("to_month", to_month or end.strftime("%Y-%m"), start, end)
    currency = currency.strip().upper()
    if currency and not is_currency(currency):
        raise invalid(
            "currency",
            currency,
            _("is not an ISO 4217 currency code (such as EUR, USD, GBP, BRL)"),
            code="currency_unknown",
        )
    return TrendFilters(start, end, team_id, owner_id, segment_id, currency)


def trend_report(user: User, **query: Any) -> dict[str, Any]:
    """The trends for these filters (trend_filters' keywords), in the reporting currency."""
    from clientela.analytics.services.config import reporting_currency

    return trends(user, trend_filters(**query), reporting=reporting_currency().code)


def scoped_parties(user: User, filters: TrendFilters) -> QuerySet[Party]:
    """The parties the user may see, narrowed by team, owner and segment (an id no segment
    has is Invalid, naming `segment_id`)."""
    parties = visible_parties(user)
    if filters.team_id is not None:
        parties = parties.filter(team_id=filters.team_id)
    if filters.owner_id is not None:
        parties = parties.filter(owner_id=filters.owner_id)
    if filters.segment_id is not None:
        value = {"segment": str(filters.segment_id)}
        for party_filter in party_filters():
            if "segment" in party_filter.params:
                try:
                    parties = party_filter.apply(user, parties, value)
                except Invalid as exc:
                    if [e.code for e in exc.errors] != ["segment_unknown"]:
                        raise
                    raise invalid(
                        "segment_id", filters.segment_id, _("is not a segment"),
                        code="segment_unknown",
                    ) from None  # fmt: skip
    return parties


def completed_orders(parties: QuerySet[Party], currency: str) -> QuerySet[Order]:
    """The parties' completed orders, in one currency when it is named."""
    orders = Order.objects.filter(party__in=parties, status=OrderStatus.COMPLETED)
    return orders.filter(currency=currency) if currency else orders


def first_orders(orders: QuerySet[Order], currency: str) -> QuerySet[Order]:
    """The orders of `orders` that are their party's first completed one (in `currency`)."""
    earlier = Order.objects.filter(
        party=OuterRef("party"), status=OrderStatus.COMPLETED, ordered_at__lt=OuterRef("ordered_at")
    )
    if currency:
        earlier = earlier.filter(currency=currency)
    return orders.filter(~Exists(earlier))


def lost_in(start: date, end: date) -> QuerySet[LifecycleChange]:
    """Changes to "lost" whose as-of day falls in the months from `start` to `end`."""
    after = month_of(month_index(end) + 1)
    return LifecycleChange.objects.filter(
        to_state=LifecycleState.LOST, as_of__gte=start, as_of__lt=after
    )


def _value_sql(to: str) -> RawSQL:
    """An order's total in `to` (NULL when no rate converts it), as a float: the refresh's rule.
    Orders already in `to` keep their total, so the original-currency view is the same SQL."""
    q = connection.ops.quote_name
    table = q(Order._meta.db_table)
    sql, params = converted_total_sql(
        total=f"{table}.{q('total')}", currency=f"{table}.{q('currency')}",
        at=f"{table}.{q('ordered_at')}", to=to, bases=rate_bases(),
    )  # fmt: skip
    return RawSQL(sql, params, output_field=FloatField())  # noqa: S611  (names from the model, values bound)


def _month_key(value: Any) -> int:
    day = value.date() if isinstance(value, datetime) else value
    return month_index(day)


def _money(value: Any) -> Decimal:
    return Decimal(str(round(float(value or 0), 2))).quantize(CENT)


def trends(user: User, filters: TrendFilters, *, reporting: str) -> dict[str, Any]:
    """Revenue, orders and customers (active, new, lost) per month, and over the period."""
    parties = scoped_parties(user, filters)
    currency = filters.currency or reporting
    since, until = month_bounds(filters.start, filters.end)
    orders = completed_orders(parties, filters.currency)
    in_period = orders.filter(ordered_at__gte=since, ordered_at__lt=until)
    value = _value_sql(filters.currency or reporting)
    measures = {
        "orders": Count("pk"),
        "customers": Count("party", distinct=True),
        "unconverted_orders": Count("pk", filter=Q(value__isnull=True)),
    }
    monthly = (
        in_period.annotate(value=value, month=TruncMonth("ordered_at", tzinfo=UTC))
        .values("month")
        .annotate(**measures)
        .order_by()
    )
    sums = _revenue_by_month(in_period, value)
    firsts = (
        first_orders(in_period, filters.currency)
        .annotate(month=TruncMonth("ordered_at", tzinfo=UTC))
        .values("month")
        .annotate(n=Count("party", distinct=True))
        .order_by()
    )
    lost = lost_in(filters.start, filters.end).filter(party__in=parties)
    lost_monthly = (
        lost.annotate(month=TruncMonth("as_of")).values("month").annotate(
            n=Count("party", distinct=True)
        ).order_by()
    )  # fmt: skip
    rows: dict[int, dict[str, Any]] = {}
    for index in range(month_index(filters.start), month_index(filters.end) + 1):
        rows[index] = {
            "month": month_of(index), "revenue": _money(sums.get(index)), "orders": 0,
            "customers": 0, "new_customers": 0, "lost_customers": 0, "unconverted_orders": 0,
        }  # fmt: skip
    for row in monthly:
        rows[_month_key(row["month"])].update(
            orders=row["orders"],
            customers=row["customers"],
            unconverted_orders=row["unconverted_orders"],
        )
    for row in firsts:
        rows[_month_key(row["month"])]["new_customers"] = row["n"]
    for row in lost_monthly:
        rows[_month_key(row["month"])]["lost_customers"] = row["n"]
    months = [rows[i] for i in sorted(rows)]
    totals = in_period.annotate(value=value).aggregate(**measures)
    return {
        "from_month": filters.start,
        "to_month": filters.end,
        "currency": currency,
        "converted": not filters.currency,
        "months": months,
        "totals": {
            "revenue": sum((m["revenue"] for m in months), Decimal(0)),
            "orders": totals["orders"],
            "customers": totals["customers"],
            "new_customers": sum(m["new_customers"] for m in months),
            "lost_customers": lost.aggregate(n=Count("party", distinct=True))["n"],
            "unconverted_orders": totals["unconverted_orders"],
        },
    }


def _revenue_by_month(orders: QuerySet[Order], value: RawSQL) -> dict[int, Any]:
    """The sum of the orders' values per month index; orders without a value are left out."""
    rows = (
        orders.annotate(value=value, month=TruncMonth("ordered_at", tzinfo=UTC))
        .values("month")
        .annotate(revenue=Sum("value"))
        .order_by()
    )
    return {_month_key(r["month"]): r["revenue"] for r in rows}


def order_currencies(user: User) -> list[str]:
    """The currencies of the completed orders of the parties the user may see, for a picker."""
    orders = completed_orders(visible_parties(user), "")
    return sorted(orders.values_list("currency", flat=True).distinct().order_by())


# --- the trends' tables as CSV ---------------------------------------------------------------

TREND_TABLES = {
    "revenue": ("month", "currency", "revenue", "orders", "unconverted_orders"),
    "customers": ("month", "customers", "new_customers", "lost_customers"),
}


def trend_table_csv(user: User, report: dict[str, Any], table: str) -> str:
    """One table of the trends page as CSV, a row per month then the period's total: months
    as YYYY-MM, amounts with two decimals in the report's currency. Forbidden without the
    export right; Invalid for a table the page does not have."""
    require_right(user, Right.EXPORT)
    if table not in TREND_TABLES:
        raise invalid("table", table, _("is not a table of this page"), code="table_unknown")
    columns = TREND_TABLES[table]
    period = f"{report['from_month']:%Y-%m}..{report['to_month']:%Y-%m}"
    rows = [
        *({**m, "month": f"{m['month']:%Y-%m}"} for m in report["months"]),
        {**report["totals"], "month": period},
    ]
    values = [{**row, "currency": report["currency"]} for row in rows]
    return table_csv(columns, [[v[c] for c in columns] for v in values])


def table_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A table as CSV text: text cells a spreadsheet would run as a formula are neutralised
    (core.cells), None is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(v) if isinstance(v, str) else v for v in row])
    return out.getvalue()
