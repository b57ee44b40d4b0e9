"""The REST API under /api/v1/: bearer-token auth, problem+json errors, feature routers."""

from __future__ import annotations

import functools
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationErrorContext
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import HttpBearer

from clientela.accounts.models import User
from clientela.accounts.services import authenticate_token
from clientela.core import openapi
from clientela.core.clients import client_address
from clientela.core.errors import (
    DomainError,
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
    TooLarge,
)
from clientela.core.validation import InputParser, errors_from_pydantic

PROBLEM = "application/problem+json"


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = authenticate_token(token, address=client_address(request))
        if user is not None:
            request.user = user
        return user


class ClientelaAPI(NinjaAPI):
    """Keeps the value that was sent in each validation error, so the answer can name it, and
    declares the problem documents each operation answers (core/openapi.py)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        openapi.declare(schema)
        return schema

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> NinjaValidationError:
        errors: list[dict[str, Any]] = []
        for context in error_contexts:
            source = context.model.__ninja_param_source__
            for err in context.pydantic_validation_error.errors(include_url=False):
                errors.append({**err, "loc": (source, *err["loc"])})
        return NinjaValidationError(errors)


api = ClientelaAPI(
    title="Clientela API",
    version="1",
    description="Relationship-marketing platform. Authenticate with `Authorization: Bearer <token>`"
    " (create one with `clientela token create EMAIL`).",
    auth=BearerToken(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=InputParser(),  # a NUL in a body or a query string is a 422 naming the field
)


def _takes_only_its_query_parameters(view: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse a query parameter the operation does not take, instead of ignoring it: a typo in a
    filter (`?onwer_id=7`) would otherwise answer every row with 200.

    An operation decorator of ninja's: it runs after the token check (401 first) and after the
    declared inputs were read (their 422 first), just before the route."""
    models = view._ninja_operation.models  # type: ignore[attr-defined]  # set by ninja's router
    query = [m for m in models if m.__ninja_param_source__ == "query"]
    allowed = frozenset(name for m in query for name in m.__ninja_flatten_map__)

    @functools.wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        unknown = sorted(set(request.GET) - allowed)
        if unknown:
            raise _unknown_query_parameters(request, unknown, allowed)
        return view(request, *args, **kwargs)

    return checked


def _unknown_query_parameters(
    request: HttpRequest, unknown: list[str], allowed: frozenset[str]
) -> Invalid:
    takes = ", ".join(sorted(allowed))
    errors = [
        FieldError(
            name,
            request.GET.get(name),
            gettext_lazy("is not a parameter of this operation (it takes %(allowed)s)"),
            code="query_parameter_unknown",
            params={"allowed": takes},
        )
        if allowed
        else FieldError(
            name,
            request.GET.get(name),
            gettext_lazy("is not a parameter of this operation, which takes none"),
            code="query_parameter_unknown",
        )
        for name in unknown
    ]
    return Invalid(
        errors,
        gettext_lazy("unknown query parameters: %(names)s"),
        code="query_parameter_unknown",
        params={"names": ", ".join(unknown)},
    )


api.add_decorator(_takes_only_its_query_parameters, mode="operation")


def problem(
    request: HttpRequest,
    *,
    status: int,
    title: str,
    detail: str,
    code: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """An RFC 9457 problem document."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = [e.as_dict() for e in errors]
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = PROBLEM
    for key, value in (headers or {}).items():
        response[key] = value
    return response


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return problem(
        request,
        status=exc.status,
        title=str(exc.title),
        detail=exc.detail,
        code=exc.code,
        errors=exc.errors,
        headers=exc.headers,
    )


@api.exception_handler(DatabaseError)
def _database_error(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    # Even with DEBUG: core.middleware.DatabaseContention runs the request again (a deadlock)
    # or answers 503 with Retry-After (the lock not got in time); anything else is a 500.
    raise exc


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = errors_from_pydantic(exc.errors)
    detail = "; ".join(f"{e.field}: {e.text()}" for e in errors)
    return problem(
        request, status=422, title=str(Invalid.title), detail=detail, code="invalid", errors=errors
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem(
        request,
        status=401,
        title=gettext("Unauthorized"),
        detail=gettext("a valid API token is required"),
        code="unauthenticated",
        headers={"WWW-Authenticate": "Bearer"},
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(
        request,
        status=404,
        title=str(NotFound.title),
        detail=gettext("nothing was found at this address"),
        code="not_found",
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem(
        request,
        status=403,
        title=str(Forbidden.title),
        detail=gettext("you may not do this"),
        code="forbidden",
    )


@api.exception_handler(RequestDataTooBig)
def _body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # A body past DATA_UPLOAD_MAX_MEMORY_SIZE (a template's many long variants, say): a 413
    # problem document, as the bulk routes answer theirs, not Django's bare 400 page.
    return _domain_error(request, TooLarge(
        gettext_lazy("is larger than %(limit)s bytes; send at most %(limit)s bytes per request"),
        code="body_too_large",
        params={"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
    ))  # fmt: skip


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, DomainError):  # raised by our parser: ninja wraps it in a 400
        return _domain_error(request, exc.__cause__)
    try:
        title = HTTPStatus(exc.status_code).phrase
    except ValueError:
        title = "Error"
    detail, code = str(exc), f"http_{exc.status_code}"
    if exc.status_code == 400 and detail.startswith("Cannot parse request body"):
        detail, code = gettext("the request body is not valid JSON"), "json_invalid"
    return problem(request, status=exc.status_code, title=title, detail=detail, code=code)


@csrf_exempt  # it changes nothing, whatever the method
def unknown_route(request: HttpRequest) -> HttpResponse:
    """An address under /api/v1/ that no route serves: a problem document, as every API error."""
    return problem(
        request,
        status=404,
        title=str(NotFound.title),
        detail=gettext("the API has no route at this address"),
        code="route_not_found",
    )


def _register_routers() -> None:
    from clientela.accounts.api import audit_router as audit
    from clientela.accounts.api import router as company
    from clientela.accounts.api import teams_router as teams
    from clientela.accounts.api import tokens_router as tokens
    from clientela.accounts.api import users_router as users
    from clientela.activities.api import call_lists_router as call_lists
    from clientela.activities.api import my_day_router as my_day
    from clientela.activities.api import router as activities
    from clientela.analytics import api as analytics
    from clientela.commerce.api import rates_router as exchange_rates
    from clientela.commerce.api import router as orders
    from clientela.consent import api as consent
    from clientela.dedupe import api as dedupe
    from clientela.interactions.api import parties_router as timeline
    from clientela.interactions.api import router as interactions
    from clientela.messaging.api import parties_router as party_messages
    from clientela.messaging.api import router as templates
    from clientela.messaging.api import sms_public
    from clientela.parties.api import custom_fields_router as custom_fields
    from clientela.parties.api import router as parties
    from clientela.segments.api import bulk_router as parties_bulk
    from clientela.segments.api import router as segments
    from clientela.segments.api import views_router as saved_views

    # Before the parties router: its /parties/{party_id} would take "bulk" for an id.
    api.add_router("/parties", parties_bulk)
    api.add_router("/parties", parties)
    api.add_router("/parties", timeline)
    api.add_router("/duplicates", dedupe.duplicates)
    api.add_router("/parties", dedupe.merging)
    api.add_router("/merges", dedupe.merges)
    api.add_router("/interactions", interactions)
    api.add_router("/orders", orders)
    api.add_router("/exchange-rates", exchange_rates)
    api.add_router("/parties", analytics.parties_router)
    api.add_router("/analytics", analytics.router)
    api.add_router("/parties", consent.parties)
    api.add_router("/privacy-requests", consent.privacy)
    api.add_router("/public", consent.public)
    api.add_router("/public/sms", sms_public)
    api.add_router("/segments", segments)
    api.add_router("/activities", activities)
    api.add_router("/company", company)
    api.add_router("/users", users)
    api.add_router("/teams", teams)
    api.add_router("/tokens", tokens)
    api.add_router("/audit", audit)
    api.add_router("/custom-fields", custom_fields)
    api.add_router("/my-day", my_day)
    api.add_router("/call-lists", call_lists)
    api.add_router("/saved-views", saved_views)
    api.add_router("/parties", party_messages)
    api.add_router("/templates", templates)


_register_routers()
