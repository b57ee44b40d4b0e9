"""Pages of customer analytics: the dashboard, the trends (and their tables as CSV) and the
metrics panel of a party's page."""

from __future__ import annotations

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET
from pydantic import ValidationError

from clientela.accounts.models import Right
from clientela.accounts.services import require_right
from clientela.analytics import presenters
from clientela.analytics.queries import party_metrics
from clientela.analytics.schemas import TrendQuery
from clientela.analytics.services.config import reporting_currency
from clientela.analytics.services.trends import (
    TrendFilters,
    table_csv,
    trend_filters,
    trend_table_csv,
    trends,
)
from clientela.core.errors import Invalid
from clientela.core.pages import invalid_messages, page_errors, pydantic_messages
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


TREND_PARAMS = ("from_month", "to_month", "team_id", "owner_id", "segment_id", "currency")


def _trend_filters(
    request: HttpRequest,
) -> tuple[TrendFilters, dict[str, str], dict[str, list[str]]]:
    """The page's filters from the URL, checked as the API checks them; with errors (by
    field), the default period and no other filter."""
    raw = {k: request.GET.get(k, "").strip() for k in TREND_PARAMS}
    errors: dict[str, list[str]] = {}
    try:
        query = TrendQuery.model_validate({k: v or None for k, v in raw.items() if v})
        return trend_filters(**query.dict()), raw, errors
    except ValidationError as exc:
        for error, message in pydantic_messages(exc):
            errors.setdefault(error.field, []).append(message)
    except Invalid as exc:
        for error, message in invalid_messages(exc):
            errors.setdefault(error.field, []).append(message)
    return trend_filters(), raw, errors


@require_GET
@login_required
@page_errors
def trends_page(request: HttpRequest) -> HttpResponse:
    """Revenue and customers per month, filtered; every figure links to its parties."""
    user = current_user(request)
    filters, raw, errors = _trend_filters(request)
    try:
        context = presenters.trends_page(user, filters)
    except Invalid as exc:  # a segment that is gone: the figures of everyone visible instead
        for error, message in invalid_messages(exc):
            errors.setdefault(error.field, []).append(message)
        filters = replace(filters, segment_id=None)
        context = presenters.trends_page(user, filters)
    query = urlencode({k: v for k, v in raw.items() if v})
    return render(
        request,
        "analytics/trends.html",
        {
            **context,
            **presenters.trend_options(user),
            "filters": raw,
            "errors": errors,
            "query": query,
        },
    )


@require_GET
@login_required
@page_errors
def trends_csv(request: HttpRequest, table: str) -> HttpResponse:
    """One table of the trends page as a CSV file, with the page's filters (export right)."""
    user = current_user(request)
    require_right(user, Right.EXPORT)
    filters, _raw, errors = _trend_filters(request)
    if errors:
        return HttpResponse(
            "\n".join(m for ms in errors.values() for m in ms),
            status=422,
            content_type="text/plain; charset=utf-8",
        )
    report = trends(user, filters, reporting=reporting_currency().code)
    try:
        body = trend_table_csv(user, report, table)
    except Invalid as exc:
        raise Http404(exc.detail) from exc
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = f"trends-{table}-{filters.start:%Y-%m}-{filters.end:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
@login_required
@page_errors
def dashboard_csv(request: HttpRequest, table: str) -> HttpResponse:
    """One table of the dashboard as a CSV file (export right)."""
    try:
        header, rows = presenters.dashboard_table(current_user(request), table)
    except Invalid as exc:
        raise Http404(exc.detail) from exc
    response = HttpResponse(table_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="analytics-{table}.csv"'
    return response
