"""Domain and validation errors as pages show them: 404/403 pages, and messages in the reader's
language next to the field they are about."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from pydantic import ValidationError

from clientela.core.errors import DomainError, FieldError, Forbidden, NotFound
from clientela.core.validation import field_errors

View = Callable[..., HttpResponse]


def page_errors(view: View) -> View:
    """NotFound becomes a 404 page and Forbidden a 403 page, for every page view."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.detail) from exc
        except Forbidden as exc:
            raise PermissionDenied(exc.detail) from exc

    return wrapper


def with_value(error: FieldError, message: str | None = None) -> str:
    """The error's message in the active language, followed by the value it is about."""
    text = error.text() if message is None else message
    if error.value is None or error.value == "" or isinstance(error.value, bool):
        return text
    value = str(error.as_dict()["value"])
    return gettext("%(message)s (you entered “%(value)s”)") % {"message": text, "value": value}


def pydantic_messages(exc: ValidationError) -> list[tuple[FieldError, str]]:
    """Each problem as (FieldError naming the field, message to show in the active language)."""
    return [(error, with_value(error)) for error in field_errors(exc)]


def invalid_messages(exc: DomainError) -> list[tuple[FieldError, str]]:
    """Each problem of a service's Invalid (or Conflict) as (FieldError, message to show)."""
    if not exc.errors:
        return [
            (FieldError("body", None, exc.message, code=exc.code, params=exc.params), exc.detail)
        ]
    return [(e, with_value(e)) for e in exc.errors]
