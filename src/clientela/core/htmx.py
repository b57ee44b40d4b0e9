"""The one place that decides whether a request gets a whole page or only its fragment."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails


def htmx(request: HttpRequest) -> HtmxDetails:
    """What htmx said about the request (django-htmx's middleware sets it on every request)."""
    details = getattr(request, "htmx", None)
    return details if isinstance(details, HtmxDetails) else HtmxDetails(request)


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render `template`; for an htmx request that targets a fragment, render only `fragment`."""
    details = htmx(request)
    name = fragment if (details and fragment and not details.boosted) else template
    return render(request, name, context, status=status)
