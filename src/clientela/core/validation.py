"""Turning Pydantic's validation errors into FieldErrors that name the field, value and code.

A validator that raises `core.errors.Problem` keeps its own code, message and parameters.
Pydantic's own checks keep Pydantic's error type as their code (`missing`, `int_parsing`,
`string_too_long`…), with a message of ours for each, translatable, and Pydantic's context
(`max_length`, `ge`…) as parameters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from ninja.parser import Parser
from pydantic import BeforeValidator, ValidationError

from clientela.core.errors import FieldError, Invalid, Problem, Text

# Where ninja says a value came from; not part of the field's name.
_SOURCES = {"body", "payload", "query", "path", "filters", "form", "header", "cookie"}

# Pydantic's error types, which are their codes, and what each tells the reader.
PYDANTIC_MESSAGES: dict[str, Text] = {
    "missing": _("is required"),
    "string_too_short": _("must not be empty"),
    "string_too_long": _("must have at most %(max_length)s characters"),
    "string_type": _("must be text"),
    "string_pattern_mismatch": _("does not have the expected form"),
    "enum": _("is not one of the allowed choices"),
    "literal_error": _("is not one of the allowed choices"),
    "int_parsing": _("must be a whole number"),
    "int_type": _("must be a whole number"),
    "int_from_float": _("must be a whole number"),
    "bool_parsing": _("must be yes or no"),
    "bool_type": _("must be yes or no"),
    "date_parsing": _("must be a date as YYYY-MM-DD"),
    "date_from_datetime_parsing": _("must be a date as YYYY-MM-DD"),
    "date_from_datetime_inexact": _("must be a date as YYYY-MM-DD"),
    "date_type": _("must be a date as YYYY-MM-DD"),
    "datetime_parsing": _("must be a date and a time"),
    "datetime_from_date_parsing": _("must be a date and a time"),
    "datetime_type": _("must be a date and a time"),
    "time_parsing": _("must be a time as HH:MM"),
    "time_type": _("must be a time as HH:MM"),
    "too_long": _("has too many entries (at most %(max_length)s)"),
    "too_short": _("has too few entries (at least %(min_length)s)"),
    "extra_forbidden": _("is not a field that can be written"),
    "float_parsing": _("must be a number"),
    "float_type": _("must be a number"),
    "finite_number": _("must be a finite number"),
    "decimal_parsing": _("must be a number"),
    "decimal_type": _("must be a number"),
    "decimal_max_digits": _("has more than %(max_digits)s digits"),
    "decimal_max_places": _("has more than %(decimal_places)s decimal places"),
    "decimal_whole_digits": _("has too many digits before the decimal point"),
    "greater_than": _("must be more than %(gt)s"),
    "greater_than_equal": _("must be at least %(ge)s"),
    "less_than": _("must be less than %(lt)s"),
    "less_than_equal": _("must be at most %(le)s"),
    "json_invalid": _("is not valid JSON"),
    "list_type": _("must be a list"),
    "dict_type": _("must be an object"),
    "model_type": _("must be an object"),
    "model_attributes_type": _("must be an object"),
    "url_parsing": _("is not a web address"),
    "url_scheme": _("must be an http:// or https:// address"),
    "value_error": _("is not valid"),
    "assertion_error": _("is not valid"),
}
_FALLBACK = _("is not valid")
_REASON = _("is not valid: %(reason)s")


def errors_from_pydantic(
    errors: Iterable[Mapping[str, Any]], *, prefix: str = ""
) -> list[FieldError]:
    """One FieldError per problem, with a dotted field path such as contact_points.0.value.

    The errors must come with their context (`include_context=True`, Pydantic's default).
    """
    result = []
    for err in errors:
        loc = list(err.get("loc", ()))
        while loc and loc[0] in _SOURCES:  # only the leading parts: a field may be named "query"
            loc.pop(0)
        path = prefix + (".".join(str(p) for p in loc) or "body")
        value = err.get("input")
        if isinstance(value, dict | list):
            value = None  # the whole object: its parts are named by their own errors
        context = dict(err.get("ctx") or {})
        cause = context.get("error")
        if isinstance(cause, Problem):
            result.append(cause.at(path, value))
            continue
        kind = str(err.get("type", "value_error"))
        if kind == "value_error" and isinstance(cause, ValueError) and str(cause):
            # A plain ValueError from a library's parser: its own words, as a parameter.
            reason = {"reason": str(cause)}
            result.append(FieldError(path, value, _REASON, code=kind, params=reason))
            continue
        params = {k: v for k, v in context.items() if isinstance(v, str | int | float)}
        message = PYDANTIC_MESSAGES.get(kind, _FALLBACK)
        result.append(FieldError(path, value, message, code=kind, params=params))
    return result


def field_errors(exc: ValidationError, *, prefix: str = "") -> list[FieldError]:
    """FieldErrors for a pydantic.ValidationError raised by model_validate."""
    return errors_from_pydantic(exc.errors(include_url=False), prefix=prefix)


# NUL: no person types one, PostgreSQL can neither store nor compare one (a 500 on the first
# query that carries it), and a spreadsheet hides it in front of a formula. Input that holds
# one is refused, at one place per door: the API's parser below (JSON bodies and query
# strings), core.middleware.refuse_nul_in_forms (pages' forms and query strings), the NDJSON readers
# (orders/bulk, imports; a CSV line with NUL is refused by imports' line reader). CSV exports
# drop any NUL stored before (core.cells.neutralise).
NUL = "\x00"
NUL_ESCAPED = b"\\u0000"  # how JSON writes one; its absence means the parsed data has none


def nul_field(data: Any, prefix: str = "") -> tuple[str, str] | None:
    """The dotted path and the text of the first string (key or value) holding a NUL; None
    when there is none. Walked without recursion: a JSON tree can be as deep as the parser."""
    stack: list[tuple[str, Any]] = [(prefix, data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                return path or "body", value
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                name = f"{path}.{key}" if path else str(key)
                if NUL in str(key):
                    return name.replace(NUL, "\\0"), str(key)
                stack.append((name, item))
        elif isinstance(value, list | tuple):
            stack.extend(
                (f"{path}.{i}" if path else str(i), v) for i, v in reversed(list(enumerate(value)))
            )
    return None


def nul_error(data: Any, *, line: int | None = None) -> FieldError | None:
    """The FieldError of the first NUL in `data` (text_nul), or None."""
    found = nul_field(data)
    if found is None:
        return None
    return FieldError(
        found[0], found[1], _("must not contain a NUL character"), code="text_nul", line=line
    )


def refuse_nul(data: Any) -> None:
    """Invalid (422) naming the field when `data` holds a NUL anywhere."""
    error = nul_error(data)
    if error is not None:
        raise Invalid(error)


class InputParser(Parser):
    """ninja's parser for the API's JSON bodies and query strings, refusing a NUL in either."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data: dict[str, Any] = super().parse_body(request)
        if NUL_ESCAPED in request.body:  # a raw NUL is not JSON: json.loads refused it
            refuse_nul(data)
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        values: dict[str, Any] = super().parse_querydict(data, list_fields, request)
        refuse_nul(values)
        return values


def _not_a_number(value: Any) -> Any:
    """Pydantic reads a number as a Unix timestamp; a moment sent to us is written out."""
    if isinstance(value, bool | int | float | Decimal):
        raise Problem("datetime_type", PYDANTIC_MESSAGES["datetime_type"])
    return value


# A moment in an input schema: a date and a time (text, or a datetime from a form), not a number.
Instant = Annotated[datetime, BeforeValidator(_not_a_number)]
