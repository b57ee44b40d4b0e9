"""REST routes of customer analytics: a party's metrics and the summary."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from clientela.analytics.presenters import clv_reason
from clientela.analytics.queries import analytics_summary, latest_run, party_metrics
from clientela.analytics.schemas import MetricsOut, SummaryOut, TrendQuery, TrendsOut
from clientela.analytics.services.config import analytics_config
from clientela.analytics.services.trends import trend_report
from clientela.core.openapi import problems
from clientela.core.requests import current_user

parties_router = Router(tags=["analytics"])
router = Router(tags=["analytics"])


@parties_router.get("/{party_id}/metrics", response=MetricsOut, summary="A party's metrics")
def metrics(request: HttpRequest, party_id: int) -> dict[str, Any]:
    """What is known of the party now: up to date with its orders, and for a party with no
    purchase yet (or before the first refresh) still an answer (lifecycle "potential")."""
    _party, row = party_metrics(current_user(request), party_id)
    run = latest_run()
    return {
        **{f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields},
        "horizon_days": run.horizon_days if run else analytics_config().horizon_days,
        "clv_reason": clv_reason(row, run),
    }


@router.get("/summary", response=SummaryOut, summary="Customer analytics summary")
def summary(request: HttpRequest) -> dict[str, Any]:
    return analytics_summary(current_user(request))


@router.get(
    "/trends",
    response=TrendsOut,
    summary="Revenue and customers per month",
    openapi_extra=problems(422),
)
def trends(request: HttpRequest, query: Query[TrendQuery]) -> dict[str, Any]:
    """Revenue, orders and active, new and lost customers per month, over the parties the
    caller may see, narrowed by team, owner, segment and currency (docs/analytics.md)."""
    return trend_report(current_user(request), **query.dict())
