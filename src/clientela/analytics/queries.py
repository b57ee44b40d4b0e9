"""Read side of customer analytics: a party's metrics, the summary and what the dashboard shows,
always over the parties the reader may see."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from clientela.accounts.models import User
from clientela.analytics.models import (
    CustomerMetrics,
    LifecycleChange,
    LifecycleState,
    RefreshRun,
)
from clientela.analytics.services import rfm
from clientela.analytics.services.aggregation import end_of
from clientela.analytics.services.config import analytics_config
from clientela.commerce.models import Order, OrderStatus
from clientela.parties.models import Party
from clientela.parties.queries import get_visible_party, visible_parties


def latest_run() -> RefreshRun | None:
    """The most recent refresh, or None before the first one."""
    return RefreshRun.objects.order_by("-finished_at", "-id").first()


def party_metrics(user: User, party_id: int) -> tuple[Party, CustomerMetrics]:
    """The party (if the user may see it, else NotFound) and its metrics: its stored row, or for
    a party that has none yet (a new customer) what is known now, computed and not stored."""
    party = get_visible_party(user, party_id)
    row = CustomerMetrics.objects.filter(party=party).first()
    if row is None:
        from clientela.analytics.services.freshness import current_metrics  # loads SciPy

        row = current_metrics(party)
    return party, row


def visible_metrics(user: User | None) -> QuerySet[CustomerMetrics]:
    """Metrics rows of the parties this user may see (all, for the operator's CLI: None)."""
    rows = CustomerMetrics.objects.all()
    if user is not None:
        rows = rows.filter(party__in=visible_parties(user))
    return rows


def analytics_summary(user: User) -> dict[str, Any]:
    """Counts by lifecycle state, RFM segment and grid cell and tier; revenue and value totals."""
    rows = visible_metrics(user)
    run = latest_run()
    totals = rows.aggregate(
        parties=Count("pk"),
        customers=Count("pk", filter=Q(occasions__gt=0)),
        repeat_customers=Count("pk", filter=Q(frequency__gt=0)),
        revenue=Sum("monetary"),
        repeat_customer_revenue=Sum("monetary", filter=Q(frequency__gt=0)),
        repeat_purchase_revenue=Sum(F("average_repeat_value") * F("frequency")),
        clv=Sum("clv"),
        expected_purchases=Sum("expected_purchases"),
    )
    revenue = float(totals["revenue"] or 0)
    grid = [[0] * 5 for _ in range(5)]
    for cell in (
        rows.filter(r_score__isnull=False).values("r_score", "f_score").annotate(n=Count("pk"))
    ):
        grid[cell["r_score"] - 1][cell["f_score"] - 1] = cell["n"]
    return {
        "as_of": run.as_of if run else None,
        "computed_at": run.finished_at if run else None,
        "currency": run.currency if run else analytics_config().currency,
        "currency_source": run.currency_source if run else "",
        "horizon_days": run.horizon_days if run else None,
        "discount_rate": run.discount_rate if run else None,
        "excluded_orders": run.excluded_orders if run else 0,
        "unconverted": run.unconverted if run else [],
        "parties": totals["parties"],
        "customers": totals["customers"],
        "repeat_customers": totals["repeat_customers"],
        "revenue": round(revenue, 2),
        "repeat_customer_revenue_share": _share(totals["repeat_customer_revenue"], revenue),
        "repeat_purchase_revenue_share": _share(totals["repeat_purchase_revenue"], revenue),
        "total_clv": round(float(totals["clv"] or 0), 2),
        "expected_purchases": round(float(totals["expected_purchases"] or 0), 2),
        "lifecycle": _counts(rows, "lifecycle_state", LifecycleState.values),
        "rfm_segments": _counts(rows.exclude(rfm_segment=""), "rfm_segment", list(rfm.SEGMENTS)),
        "rfm_grid": grid,
        "tiers": _counts(rows.exclude(tier=""), "tier", [t.name for t in analytics_config().tiers]),
        "bgnbd": run.bgnbd if run else None,
        "gamma_gamma": run.gamma_gamma if run else None,
    }


def _share(part: Any, whole: float) -> float | None:
    return round(float(part or 0) / whole, 4) if whole else None


def _counts(rows: QuerySet[CustomerMetrics], field: str, keys: list[str]) -> dict[str, int]:
    found = {r[field]: r["n"] for r in rows.values(field).annotate(n=Count("pk")).order_by()}
    return {key: found.get(key, 0) for key in keys} | {
        k: v for k, v in found.items() if k not in keys
    }


def lifecycle_changes(party: Party, *, limit: int = 20) -> list[LifecycleChange]:
    """The party's most recent lifecycle changes, newest first."""
    return list(party.lifecycle_changes.order_by("-at", "-id")[:limit])


# --- the dashboard -------------------------------------------------------------------------

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
    month of order) over the completed orders, whatever their currency (a purchase is one).
    """
    if as_of is None:
        return {"cohorts": [], "width": 0}
    last = _month_index(as_of)
    first = last - months + 1
    start = date(first // 12, first % 12 + 1, 1)
    orders = Order.objects.filter(
        party__in=visible_parties(user),
        status=OrderStatus.COMPLETED,
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
