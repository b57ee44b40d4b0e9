"""What the analytics dashboard shows, computed over the parties the user may see."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from clientela.accounts.models import User
from clientela.analytics.aggregation import end_of
from clientela.analytics.config import analytics_config
from clientela.analytics.models import CustomerMetrics, LifecycleChange, LifecycleState
from clientela.commerce.models import Order, OrderStatus
from clientela.parties.queries import visible_parties

# CLV histogram buckets (lower edges, company currency): roughly logarithmic.
CLV_EDGES = (0, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000)
ATTENTION_STATES = (LifecycleState.AT_RISK, LifecycleState.INACTIVE)


def clv_histogram(rows: QuerySet[CustomerMetrics]) -> list[tuple[str, int]]:
    """Customers per CLV bucket, counted in one query."""
    edges = list(CLV_EDGES)
    buckets = {
        f"b{i}": Count(
            "pk",
            filter=Q(clv__gte=low) & (Q(clv__lt=edges[i + 1]) if i + 1 < len(edges) else Q()),
        )
        for i, low in enumerate(edges)
    }
    counts = rows.filter(clv__isnull=False).aggregate(**buckets)
    labels = [
        f"{low:,}\u2013{edges[i + 1]:,}" if i + 1 < len(edges) else f"≥ {low:,}"
        for i, low in enumerate(edges)
    ]
    return [(labels[i], counts[f"b{i}"]) for i in range(len(edges))]


def lifecycle_flows(user: User, *, months: int = 12) -> dict[str, Any]:
    """Changes of lifecycle state per month (by the state entered) and the biggest flows."""
    changes = LifecycleChange.objects.filter(party__in=visible_parties(user))
    per_month = (
        changes.annotate(month=TruncMonth("at", tzinfo=UTC))
        .values("month", "from_state", "to_state")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    table: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    flows: dict[tuple[str, str], int] = defaultdict(int)
    for row in per_month:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        table[month][row["to_state"]] += row["n"]
        flows[(row["from_state"], row["to_state"])] += row["n"]
    recent = sorted(table)[-months:]
    return {
        "months": recent,
        "entered": {
            state: [table[m].get(state, 0) for m in recent] for state in LifecycleState.values
        },
        "top_flows": sorted(flows.items(), key=lambda kv: (-kv[1], kv[0]))[:12],
    }


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def retention_cohorts(user: User, *, as_of: date | None, months: int = 12) -> dict[str, Any]:
    """Share of each monthly cohort of first purchase that bought again k months later.

    Cohorts are the last `months` months before the as-of day; counted in SQL per (cohort,
    month of order) over the completed orders in the company currency.
    """
    if as_of is None:
        return {"cohorts": [], "width": 0}
    last = _month_index(as_of)
    first = last - months + 1
    start = date(first // 12, first % 12 + 1, 1)
    orders = Order.objects.filter(
        party__in=visible_parties(user),
        status=OrderStatus.COMPLETED,
        currency=analytics_config().currency,
        ordered_at__gte=datetime.combine(start, time.min, tzinfo=UTC),
        ordered_at__lt=end_of(as_of),
        party__metrics__first_purchase_at__gte=start,
    )
    counts = (
        orders.annotate(
            cohort=TruncMonth("party__metrics__first_purchase_at"),
            month=TruncMonth("ordered_at", tzinfo=UTC),
        )
        .values("cohort", "month")
        .annotate(n=Count("party", distinct=True))
    )
    grid: dict[int, dict[int, int]] = defaultdict(dict)
    for row in counts:
        cohort = _month_index(row["cohort"])
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        grid[cohort][_month_index(month) - cohort] = row["n"]
    cohorts = []
    for index in range(first, last + 1):
        size = grid.get(index, {}).get(0, 0)
        if not size:
            continue
        width = last - index + 1
        shares = [grid[index].get(k, 0) / size for k in range(width)]
        cohorts.append(
            {"month": date(index // 12, index % 12 + 1, 1), "size": size, "shares": shares}
        )
    return {"cohorts": cohorts, "width": months}


def attention_list(user: User, *, limit: int = 20) -> list[CustomerMetrics]:
    """Valuable customers slipping away: at risk or inactive, biggest spenders first."""
    return list(
        CustomerMetrics.objects.filter(
            party__in=visible_parties(user), lifecycle_state__in=ATTENTION_STATES
        )
        .select_related("party")
        .order_by("-monetary", "-clv", "party_id")[:limit]
    )
