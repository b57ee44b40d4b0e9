"""What every public page shares: no caching, no referrer, a per-IP limit, one answer for
every unusable link."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from clientela.consent.services.ratelimit import count_public_request
from clientela.core.clients import client_address
from clientela.core.errors import Throttled

PUBLIC_HEADERS = {
    "Cache-Control": "no-store",
    # The token is in the URL: never pass it to another site. (Not "no-referrer": browsers
    # then send "Origin: null" with the page's own forms, and CSRF checks refuse them.)
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow",
}
View = Callable[..., HttpResponseBase]  # a page, or a download streamed from a file
Response = TypeVar("Response", bound=HttpResponseBase)


def public(response: Response) -> Response:
    """The response with the headers of a public page."""
    for key, value in PUBLIC_HEADERS.items():
        response[key] = value
    return response


def invalid_link(request: HttpRequest) -> HttpResponse:
    """One answer for every unusable link: unknown, altered, cut, expired, foreign, used."""
    return public(render(request, "consent/public/invalid_link.html", {}, status=404))


def too_many(request: HttpRequest, throttled: Throttled) -> HttpResponse:
    response = render(request, "consent/public/too_many.html", {}, status=429)
    response["Retry-After"] = str(throttled.retry_after)
    return public(response)


def rate_limited(bucket: str) -> Callable[[View], View]:
    """Count the request against the client address's limit first (the one throttle);
    public responses are never cached."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                count_public_request(bucket, client_address(request))
            except Throttled as exc:
                return too_many(request, exc)
            return public(view(request, *args, **kwargs))

        return wrapped

    return decorate
