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
    "is not a number": _("must be a number"),
    "is not a whole number": _("must be a whole number"),
    "may not be null": _("must not be empty"),
    "is not a party you can see": _("is not a party you can see"),
    "is not a party id": _("is not a party id"),
    "is already used by a different interaction": _("is already used by a different interaction"),
    "is already used by a different order": _("is already used by a different order"),
    "must be a JSON object": _("must be a JSON object"),
    # segments
    "a static list has no rules": _("a static list has no rules"),
    "is not a static list": _("is not a static list"),
    # dedupe
    "is not a field to choose": _("is not a field to choose"),
    "must be survivor or other": _("must be the party kept or the other one"),
    "only managers and admins may assign it": _("only managers and admins may assign it"),
    # imports
    "is not a column of the file": _("is not a column of the file"),
    "must be written as SOURCE=FIELD": _("must be written as COLUMN=FIELD"),
    "must be person or organization": _("must be “person” or “organization”"),
    "is not a country name or a two-letter ISO code": _(
        "is not a country name or a two-letter ISO code"
    ),
    "is not the e-mail of an active user": _("is not the e-mail of an active user"),
    "is not a team": _("is not a team"),
    "is empty": _("is empty"),
    "has no header row": _("has no header row"),
    "is not an encoding Python knows": _("is not a known text encoding"),
    "must be csv or ndjson": _("must be “csv” or “ndjson”"),
    "this import has already been started": _("this import has already been started"),
    # consent and privacy
    "is not a stored wording": _("is not a stored wording"),
    "profiling consent is for channel 'any'": _("profiling consent is for the channel “any”"),
    "must be granted or withdrawn": _("must be “granted” or “withdrawn”"),
    "is not a legal basis": _("is not a legal basis"),
    "is not a consent source": _("is not a consent source"),
    "a consent needs the wording the person saw": _("a consent needs the wording the person saw"),
    "is in the future": _("is in the future"),
    "must be complete or reject": _("must be “complete” or “reject”"),
    "say why the request is rejected": _("say why the request is rejected"),
    "quiet_start and quiet_end go together: send both or neither": _(
        "give both the start and the end of the quiet hours, or neither"
    ),
}
_PREFIXES = {
    "is not a valid e-mail address": _("is not a valid e-mail address"),
    "more than one primary": _("only one contact point of each kind can be primary"),
    "must be one of": _("is not one of the allowed choices"),
    "tag ": _("each tag must be 1-50 letters, digits, spaces or . : / & + -"),
    "must not be before since": _("must not be before “since”"),
    "is used by party": _("is already used by another party"),
    "is not JSON": _("is not valid JSON"),
    "has no readable header row": _("has no header row"),
    "is not UTF-8 text": _("is not UTF-8 text"),
    "is not a JSON list of order lines": _("is not a JSON list of order lines"),
    "is a duplicate of party": _("is a duplicate of an existing party"),
    "matches different parties": _("matches different parties"),
    "cannot be created:": _("cannot be created"),
    "must name one of:": _("is not a field a column can go to"),
    "has no column for": _("has no column for a field that is required"),
    "column ": _("two columns go to the same field; ignore one or choose another field"),
    "topic ": _("each topic must be 1-50 lower-case letters, digits, - or _"),
    "duplicate pair ": _("this pair was already decided"),
    "privacy request ": _("this privacy request was already decided"),
    "the party's ": _(
        "this contact is suppressed; only the person's own confirmed sign-up can allow it again"
    ),
}
_SUFFIXES = {
    "is not a date": _("is not a real date"),
    "needs a time zone offset, such as Z or +01:00": _("needs a date and a time"),
    "is already used by a different interaction": _(
        "this external id is already used by a different interaction"
    ),
    "is already used by a different order": _(
        "this external id is already used by a different order"
    ),
    "was already erased": _("this party's personal data was already erased"),
    "nothing can be granted for it": _(
        "this party's personal data was erased: no consent can be given for it"
    ),
    "is not a list one can sign up to": _("is not a list one can sign up to"),
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
    "float_parsing": _("must be a number"),
    "float_type": _("must be a number"),
    "decimal_parsing": _("must be a number"),
    "time_parsing": _("must be a time as HH:MM"),
    "time_type": _("must be a time as HH:MM"),
    "json_invalid": _("is not valid JSON"),
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
