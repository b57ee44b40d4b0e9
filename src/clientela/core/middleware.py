"""Middleware with no feature of its own."""

import json
import logging
import random
import sys
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.views import defaults

from clientela.core.database import busy, is_busy, is_repeatable, is_retryable
from clientela.core.errors import FieldError, Unavailable
from clientela.core.validation import nul_error

log = logging.getLogger("clientela.database")

# Both form encodings: any form view accepts either, whatever its page sends. (A view that
# sets its own upload handlers would have to be left out: this reads the body first.)
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

# Everything is served from this origin: no CDN, no inline script; inline styles stay off too.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)
# The API docs page loads Swagger UI from ninja's bundled static files and needs inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; object-src 'none'"
)


def content_security_policy(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Send a Content-Security-Policy with every response that does not set its own."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if "Content-Security-Policy" not in response:
            is_docs = request.path.startswith(("/api/v1/docs", "/admin/"))
            response["Content-Security-Policy"] = DOCS_CSP if is_docs else CSP
        return response

    return middleware


def user_language(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Activate the signed-in user's chosen language; otherwise LocaleMiddleware's choice stands."""

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = get_response(request)
        if language:
            response.headers.setdefault("Content-Language", language)
        return response

    return middleware


class DatabaseContention:
    """A request that collided with other writers: run again, or answered 503, never 500.

    A deadlock or a serialisation failure (PostgreSQL) rolls the request's transaction back;
    the view runs again from the start, after a short random wait, at most
    CLIENTELA_DB_RETRIES times. A request that could not get the write lock in time (SQLite's
    busy timeout; it already waited) or that ran out of retries is answered 503 with
    Retry-After: problem+json under /api/, a page elsewhere. (core.database says how writers
    take turns.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, DatabaseError):
            return None
        attempt = 0
        retries = settings.CLIENTELA_DB_RETRIES if is_repeatable(request) else 0
        while is_retryable(exc) and attempt < retries:
            attempt += 1
            time.sleep(random.uniform(0.01, 0.05) * attempt)  # noqa: S311  (jitter, not a secret)
            match = request.resolver_match
            if match is None:
                break
            try:
                response: HttpResponse = match.func(request, *match.args, **match.kwargs)
            except DatabaseError as again:
                exc = again
            else:
                return response
        if not (is_busy(exc) or is_retryable(exc)):
            if attempt:
                raise exc  # another failure on a retry: handled as any other error
            return None
        log.warning(
            "database busy: %s %s answered 503 after %s retries (%s)",
            request.method,
            request.path,
            attempt,
            str(exc).splitlines()[0] if str(exc) else type(exc).__name__,
        )
        return unavailable_response(request, busy())


def unavailable_response(request: HttpRequest, error: Unavailable) -> HttpResponse:
    """503 with Retry-After: an RFC 9457 problem document for the API, a page for people."""
    if request.path.startswith("/api/"):
        body = {
            "type": "about:blank",
            "title": str(error.title),
            "status": error.status,
            "detail": error.detail,
            "code": error.code,
        }
        response = HttpResponse(
            json.dumps(body), status=error.status, content_type="application/problem+json"
        )
    else:
        page = render_to_string("503.html", {"detail": error.detail}, request=request)
        response = HttpResponse(page, status=error.status)
    response["Retry-After"] = str(error.retry_after)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 page, unless the error being handled is only the database being busy (a
    write outside the view, such as the session saved on the way out): then a 503."""
    exc = sys.exc_info()[1]
    if exc is not None and (is_busy(exc) or is_retryable(exc)):
        return unavailable_response(request, busy())
    return defaults.server_error(request)


def admin_for_admins(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A signed-in user who may not use Django's admin gets 403 there, not its sign-in form.

    The admin itself only knows "has permission or must sign in"; someone already signed in
    is refused plainly instead. Admins pass (User.is_staff), and visitors who are not signed
    in still go to the sign-in page.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_staff
            and request.path.startswith(reverse("admin:index"))
        ):
            raise PermissionDenied
        return get_response(request)

    return middleware


def refuse_nul_in_forms(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A page's query string or form field holding a NUL is refused (422) before a view reads it.

    The API refuses its own in problem+json, through its parser (core.validation.InputParser).
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            error = _nul_field(request.GET)
            if error is None and request.content_type in FORM_TYPES:
                error = _nul_field(request.POST)
            if error is not None:
                return render(request, "422.html", {"errors": [error]}, status=422)
        return get_response(request)

    return middleware


def _nul_field(fields: QueryDict) -> FieldError | None:
    return nul_error({name: v if len(v) > 1 else v[0] for name, v in fields.lists()})
