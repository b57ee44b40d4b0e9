"""Turning Pydantic's validation errors into FieldErrors that name the field and the value."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from clientela.core.errors import FieldError

# Where ninja says a value came from; not part of the field's name.
_SOURCES = {"body", "payload", "query", "path", "filters", "form", "header", "cookie"}


def errors_from_pydantic(
    errors: Iterable[Mapping[str, Any]], *, prefix: str = ""
) -> list[FieldError]:
    """One FieldError per problem, with a dotted field path such as contact_points.0.value."""
    result = []
    for err in errors:
        loc = list(err.get("loc", ()))
        while loc and loc[0] in _SOURCES:  # only the leading parts: a field may be named "query"
            loc.pop(0)
        path = ".".join(str(p) for p in loc)
        message = str(err.get("msg", "is invalid")).removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            message = "is not a field that can be written"
        value = err.get("input")
        if isinstance(value, dict | list):
            value = None  # the whole object: its parts are named by their own errors
        result.append(FieldError(prefix + (path or "body"), value, message))
    return result


def field_errors(exc: ValidationError, *, prefix: str = "") -> list[FieldError]:
    """FieldErrors for a pydantic.ValidationError raised by model_validate."""
    return errors_from_pydantic(exc.errors(include_url=False, include_context=False), prefix=prefix)
