"""Middleware with no feature of its own."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation

from clientela.core.errors import FieldError
from clientela.core.validation import nul_error

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
