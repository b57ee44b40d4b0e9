"""The one place that decides whether a request gets a whole page or only its fragment."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """Render `template`; for an htmx request that targets a fragment, render only `fragment`."""
    is_htmx = bool(getattr(request, "htmx", False))
    name = fragment if (is_htmx and fragment and not request.htmx.boosted) else template  # type: ignore[attr-defined]
    return render(request, name, context, status=status)
