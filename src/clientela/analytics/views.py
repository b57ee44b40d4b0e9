"""Pages of customer analytics: the dashboard and the metrics panel of a party's page."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from clientela.analytics import charts, dashboard
from clientela.analytics.config import analytics_config
from clientela.analytics.models import LifecycleState, RfmSegment
from clientela.analytics.rfm import GRID
from clientela.analytics.services import analytics_summary, party_metrics, visible_metrics
from clientela.core.pages import page_errors

STATE_CLASSES = {state: f"state-{state}" for state in LifecycleState.values}


@require_GET
@login_required
@page_errors
def metrics_panel(request: HttpRequest, party_id: int) -> HttpResponse:
    """The party's metrics with a short explanation of each (an htmx fragment)."""
    party, metrics = party_metrics(request.user, party_id)  # type: ignore[arg-type]
    return render(
        request,
        "analytics/_party_metrics.html",
        {
            "party": party,
            "m": metrics,
            "p_alive_percent": (
                round(100 * metrics.p_alive) if metrics and metrics.p_alive is not None else None
            ),
            "config": analytics_config(),
        },
    )


def _grid(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The R x F grid, best recency on top, each cell with its count, segment and heat level."""
    top = max((n for row in summary["rfm_grid"] for n in row), default=0) or 1
    labels = dict(RfmSegment.choices)
    rows = []
    for r in range(5, 0, -1):
        cells = []
        for f in range(1, 6):
            n = summary["rfm_grid"][r - 1][f - 1]
            segment = GRID[r - 1][f - 1]
            heat = 0 if not n else 1 + round(4 * n / top)
            cells.append({"n": n, "segment": labels[segment], "key": segment, "heat": heat})
        rows.append({"r": r, "cells": cells})
    return rows


def _retention_chart(cohorts: dict[str, Any]) -> str:
    """Lines from month 1 on: month 0 is the first purchase itself, always 100 %."""
    later = [share for c in cohorts["cohorts"] for share in c["shares"][1:]]
    return charts.lines(
        _("Share of each cohort buying again, by months since the first purchase"),
        [str(k) for k in range(cohorts["width"])],
        [(c["month"].strftime("%Y-%m"), [None, *c["shares"][1:]]) for c in cohorts["cohorts"]],
        top=max([*later, 0.05]),
    )


@require_GET
@login_required
@page_errors
def analytics_dashboard(request: HttpRequest) -> HttpResponse:
    """Lifecycle, RFM grid, CLV distribution, repeat revenue, cohorts and who needs attention."""
    user = request.user
    summary = analytics_summary(user)  # type: ignore[arg-type]
    states = dict(LifecycleState.choices)
    lifecycle_chart = charts.bars(
        _("Customers by lifecycle state"),
        [(str(states[k]), v, STATE_CLASSES.get(k, "c0")) for k, v in summary["lifecycle"].items()],
    )
    flows = dashboard.lifecycle_flows(user)  # type: ignore[arg-type]
    flow_chart = charts.stacked_columns(
        _("Lifecycle changes per month, by the state entered"),
        [m.strftime("%Y-%m") for m in flows["months"]],
        [(str(states[s]), flows["entered"][s], STATE_CLASSES[s]) for s in LifecycleState.values],
    )
    histogram = charts.columns(
        _("Customers by lifetime value (%(currency)s)") % {"currency": summary["currency"]},
        dashboard.clv_histogram(visible_metrics(user)),  # type: ignore[arg-type]
    )
    cohorts = dashboard.retention_cohorts(user, as_of=summary["as_of"])  # type: ignore[arg-type]
    retention_chart = _retention_chart(cohorts)
    return render(
        request,
        "analytics/dashboard.html",
        {
            "summary": summary,
            "states": [(k, states[k], v) for k, v in summary["lifecycle"].items()],
            "lifecycle_chart": lifecycle_chart,
            "flows": flows,
            "flow_chart": flow_chart,
            "flow_labels": states,
            "grid": _grid(summary),
            "histogram": histogram,
            "cohorts": cohorts,
            "retention_chart": retention_chart,
            "attention": dashboard.attention_list(user),  # type: ignore[arg-type]
        },
    )
