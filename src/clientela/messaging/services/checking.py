"""Checking a variant before it is saved: syntax, variables, filters, tags, limits, headers.

Every problem is a FieldError on the field it is in (subject, body, text_body) with a code and
the name at fault, so the API answers 422 naming it and the page shows it next to the field.
A trial render with example values catches a template that loops or grows past the limits.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Right, User
from clientela.core.errors import FieldError, Invalid
from clientela.messaging.models import Channel
from clientela.messaging.services import engine
from clientela.messaging.services.catalogue import (
    LIST_PATHS,
    PATHS,
    custom_field_keys,
    sample_values,
)

MAX_SUBJECT = 500
MAX_BODY = 100_000


def fields_of(channel: str) -> dict[str, bool]:
    """The template fields a channel's variant has, each with whether it is HTML."""
    if channel == Channel.EMAIL:
        return {"subject": False, "body": True, "text_body": False}
    return {"body": False}


def check_variant(
    channel: str, values: dict[str, str], *, by: User, prefix: str = ""
) -> list[FieldError]:
    """Every problem of one variant's fields; none when it may be saved."""
    errors: list[FieldError] = []
    may_use_logic = by.may(Right.TEMPLATE_EDITOR)
    keys = custom_field_keys()
    for field, html in fields_of(channel).items():
        source = values.get(field, "") or ""
        name = prefix + field
        found = _check_field(name, source, html=html, may_use_logic=may_use_logic, keys=keys)
        errors.extend(found)
    if channel == Channel.EMAIL and not (values.get("subject") or "").strip():
        errors.append(
            FieldError(
                prefix + "subject", "", _("is required for an e-mail"), code="subject_missing"
            )
        )
    if not (values.get("body") or "").strip():
        errors.append(FieldError(prefix + "body", "", _("is required"), code="body_missing"))
    return errors


def _check_field(
    name: str, source: str, *, html: bool, may_use_logic: bool, keys: frozenset[str]
) -> list[FieldError]:
    limit = MAX_SUBJECT if name.endswith("subject") else MAX_BODY
    if len(source) > limit:
        return [
            FieldError(
                name, len(source), _("is longer than %(limit)s characters"),
                code="template_too_long", params={"limit": limit},
            )
        ]  # fmt: skip
    if name.endswith("subject") and ("\r" in source or "\n" in source):
        return [
            FieldError(
                name, source, _("may not contain a line break (it is an e-mail header)"),
                code="subject_line_break",
            )
        ]  # fmt: skip
    try:
        compiled = engine.parse(source, field=name, html=html)
    except Invalid as exc:
        return exc.errors
    errors = _tag_errors(name, compiled, may_use_logic)
    errors += _filter_errors(name, compiled)
    errors += _variable_errors(name, compiled, keys)
    if not errors:
        try:
            engine.render(compiled, sample_values("en"), field=name)
        except Invalid as exc:
            errors += exc.errors
    return errors


def _tag_errors(name: str, compiled: engine.Compiled, may_use_logic: bool) -> list[FieldError]:
    errors = []
    for tag, line in engine.tags_of(compiled).items():
        if tag in engine.PLAIN_TAGS:
            continue
        if tag in engine.LOGIC_TAGS and not may_use_logic:
            errors.append(
                FieldError(
                    name, tag,
                    _("uses {%% %(tag)s %%}: loops and conditions need the template editor "
                      "right"),
                    code="template_tag_forbidden", params={"tag": tag, "line": line},
                )
            )  # fmt: skip
        elif tag not in engine.LOGIC_TAGS:
            errors.append(
                FieldError(
                    name, tag, _("uses the tag %(tag)s, which templates may not use"),
                    code="template_tag_unknown", params={"tag": tag, "line": line},
                )
            )  # fmt: skip
    return errors


def _filter_errors(name: str, compiled: engine.Compiled) -> list[FieldError]:
    known = engine.known_filters()
    return [
        FieldError(
            name, filter_name, _("uses the filter %(filter)s, which does not exist"),
            code="template_filter_unknown", params={"filter": filter_name, "line": line},
        )
        for filter_name, line in engine.filters_of(compiled).items()
        if filter_name not in known
    ]  # fmt: skip


def _variable_errors(
    name: str, compiled: engine.Compiled, keys: frozenset[str]
) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: set[str] = set()
    for segments, line in engine.variables_of(compiled):
        path = declared_path(segments, keys)
        if path is not None:
            continue
        shown = ".".join(str(s) if isinstance(s, str | int) else "[…]" for s in segments)
        if shown in seen:
            continue
        seen.add(shown)
        errors.append(
            FieldError(
                name, shown, _("uses the variable %(variable)s, which does not exist"),
                code="template_variable_unknown", params={"variable": shown, "line": line},
            )
        )  # fmt: skip
    return errors


def declared_path(segments: list[Any], keys: frozenset[str]) -> str | None:
    """The declared variable a path reads (`last_order.lines.first.product` reads
    `last_order.lines.product`), or None when it reads nothing declared."""
    if not segments or not all(isinstance(s, str | int) for s in segments):
        return None
    head, *rest = segments
    path = str(head)
    for position, segment in enumerate(rest):
        if path in LIST_PATHS and (isinstance(segment, int) or segment in ("first", "last")):
            continue
        if path in LIST_PATHS and segment == "size" and position == len(rest) - 1:
            return path
        if isinstance(segment, int):
            return None
        if path == "party.custom":
            return (
                f"party.custom.{segment}" if segment in keys and position == len(rest) - 1 else None
            )
        path = f"{path}.{segment}"
    if path == "party.custom":
        return None
    return path if path in PATHS else None
