"""REST routes of customer analytics: a party's metrics and the summary."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from clientela.analytics.schemas import MetricsOut, SummaryOut
from clientela.analytics.services import analytics_summary, latest_run, party_metrics
from clientela.core.errors import NotFound

parties_router = Router(tags=["analytics"])
router = Router(tags=["analytics"])


@parties_router.get("/{party_id}/metrics", response=MetricsOut, summary="A party's metrics")
def metrics(request: HttpRequest, party_id: int) -> dict[str, Any]:
    party, row = party_metrics(request.user, party_id)  # type: ignore[arg-type]
    if row is None:
        raise NotFound(f"party {party.pk} has no metrics yet: run `clientela analytics refresh`")
    run = latest_run()
    return {
        **{f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields},
        "horizon_days": run.horizon_days if run else None,
    }


@router.get("/summary", response=SummaryOut, summary="Customer analytics summary")
def summary(request: HttpRequest) -> dict[str, Any]:
    return analytics_summary(request.user)  # type: ignore[arg-type]
