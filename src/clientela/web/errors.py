"""Domain and validation errors, mapped once for pages: to 404/403, or to translated messages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
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


# Messages that services and schemas raise in English, and what a page shows instead.
_EXACT = {
    "is not a phone number": _("is not a phone number"),
    "is not a valid phone number": _("is not a valid phone number"),
    "must be an http:// or https:// address": _("must be an http:// or https:// address"),
    "is not a language code such as 'en' or 'pt-BR'": _(
        "is not a language code such as “en” or “pt-BR”"
    ),
    "is not an IANA time zone such as 'Europe/Lisbon'": _(
        "is not a time zone such as “Europe/Lisbon”"
    ),
    "until must not be before since": _("“until” must not be before “since”"),
    "a person needs a given_name or a family_name": _("a person needs a given or family name"),
    "an organization needs an organization_name": _("an organization needs a name"),
    "a person needs a name": _("a person needs a given or family name"),
    "an organization needs a name": _("an organization needs a name"),
    "cannot be changed": _("cannot be changed"),
    "only managers and admins may assign owner or team": _(
        "only managers and admins may assign an owner or a team"
    ),
    "does not exist": _("does not exist"),
    "is not a visible organization": _("is not an organization you can see"),
    "would make a loop in the hierarchy": _("would make a loop in the hierarchy"),
    "only persons are affiliated": _("only persons can be affiliated to organizations"),
    "is not an organization": _("is not an organization"),
    "is already used": _("is already used by another party"),
    "is not a custom field": _("is not a custom field"),
    "is required": _("is required"),
    "must be text of at most 1000 characters": _("must be text of at most 1000 characters"),
    "must be a number": _("must be a number"),
    "must be a finite number": _("must be a finite number"),
    "must be a date as YYYY-MM-DD": _("must be a date as YYYY-MM-DD"),
    "must be true or false": _("must be yes or no"),
    "is more than a year in the future": _("is more than a year in the future"),
    "is not an interaction of this party": _("is not an interaction of this party"),
    "is not a field that can be written": _("is not a field that can be written"),
    "is used by another party": _("is already used by another party"),
    "only organizations have a parent organization": _(
        "only organizations have a parent organization"
    ),
    "is too large": _("is too large"),
    "a party with this e-mail or phone already exists": _(
        "a party with this e-mail or phone already exists"
    ),
}
_PREFIXES = {
    "is not a valid e-mail address": _("is not a valid e-mail address"),
    "more than one primary": _("only one contact point of each kind can be primary"),
    "must be one of": _("is not one of the allowed choices"),
    "tag ": _("each tag must be 1-50 letters, digits, spaces or . : / & + -"),
    "must not be before since": _("must not be before “since”"),
    "is used by party": _("is already used by another party"),
}
_SUFFIXES = {
    "is not a date": _("is not a real date"),
    "needs a time zone offset, such as Z or +01:00": _("needs a date and a time"),
}
# Pydantic's own error types.
_TYPES = {
    "missing": _("is required"),
    "string_too_short": _("must not be empty"),
    "enum": _("is not one of the allowed choices"),
    "literal_error": _("is not one of the allowed choices"),
    "int_parsing": _("must be a whole number"),
    "int_type": _("must be a whole number"),
    "int_from_float": _("must be a whole number"),
    "bool_parsing": _("must be yes or no"),
    "date_parsing": _("must be a date as YYYY-MM-DD"),
    "date_from_datetime_parsing": _("must be a date as YYYY-MM-DD"),
    "date_type": _("must be a date as YYYY-MM-DD"),
    "datetime_parsing": _("must be a date and a time"),
    "datetime_from_date_parsing": _("must be a date and a time"),
    "datetime_type": _("must be a date and a time"),
    "string_pattern_mismatch": _("does not have the expected form"),
    "too_long": _("has too many entries"),
    "extra_forbidden": _("is not a field that can be written"),
}


def translate_message(message: str, *, kind: str = "", ctx: dict[str, Any] | None = None) -> str:
    """The message in the active language; unknown English messages are shown as they are."""
    ctx = ctx or {}
    if kind == "string_too_long":
        return gettext("must have at most %(limit)s characters") % {"limit": ctx.get("max_length")}
    if kind in {"greater_than_equal", "greater_than"}:
        limit = ctx.get("ge", ctx.get("gt"))
        return gettext("must be at least %(limit)s") % {"limit": limit}
    if kind in {"less_than_equal", "less_than"}:
        return gettext("must be at most %(limit)s") % {"limit": ctx.get("le", ctx.get("lt"))}
    if kind in _TYPES:
        return str(_TYPES[kind])
    if message in _EXACT:
        return str(_EXACT[message])
    for prefix, text in _PREFIXES.items():
        if message.startswith(prefix):
            return str(text)
    for suffix, text in _SUFFIXES.items():
        if message.endswith(suffix):
            return str(text)
    return message


def with_value(error: FieldError, message: str) -> str:
    """The message, followed by the value it is about when there is one."""
    if error.value is None or error.value == "" or isinstance(error.value, bool):
        return message
    value = str(error.as_dict()["value"])
    return gettext("%(message)s (you entered “%(value)s”)") % {"message": message, "value": value}


def pydantic_messages(exc: ValidationError) -> list[tuple[FieldError, str]]:
    """Each problem as (FieldError naming the field, message to show in the active language)."""
    raw = exc.errors(include_url=False)
    pairs = []
    for error, detail in zip(field_errors(exc), raw, strict=True):
        message = translate_message(error.message, kind=detail["type"], ctx=detail.get("ctx"))
        pairs.append((error, with_value(error, message)))
    return pairs


def invalid_messages(exc: DomainError) -> list[tuple[FieldError, str]]:
    """Each problem of a service's Invalid (or Conflict) as (FieldError, message to show)."""
    if not exc.errors:
        return [(FieldError("body", None, exc.detail), translate_message(exc.detail))]
    return [(e, with_value(e, translate_message(e.message))) for e in exc.errors]
