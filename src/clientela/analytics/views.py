"""Pages of customer analytics: the dashboard and the metrics panel of a party's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clientela.analytics import presenters
from clientela.analytics.queries import party_metrics
from clientela.core.pages import page_errors
from clientela.core.requests import current_user


@require_GET
@login_required
@page_errors
def metrics_panel(request: HttpRequest, party_id: int) -> HttpResponse:
    """The party's metrics with a short explanation of each (an htmx fragment)."""
    party, metrics = party_metrics(current_user(request), party_id)
    return render(
        request, "analytics/_party_metrics.html", presenters.metrics_panel(party, metrics)
    )


@require_GET
@login_required
@page_errors
def analytics_dashboard(request: HttpRequest) -> HttpResponse:
    """Lifecycle, RFM grid, CLV distribution, repeat revenue, cohorts and who needs attention."""
    return render(request, "analytics/dashboard.html", presenters.dashboard(current_user(request)))
