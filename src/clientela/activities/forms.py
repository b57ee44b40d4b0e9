"""The activity forms of the pages: what was typed, turned into the API's schemas.

Forms validate with the same schemas as the API (`schemas.py`); this only reads the posted
text (empty fields are "not given") and names the errors by the form's fields.
"""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from pydantic import BaseModel, ValidationError

from clientela.core.errors import DomainError
from clientela.core.ids import id_from_text
from clientela.core.pages import invalid_messages, pydantic_messages

ACTIVITY_FIELDS = (
    "kind",
    "title",
    "notes",
    "due_date",
    "due_time",
    "duration_minutes",
    "priority",
    "repeat_unit",
    "repeat_every",
    "assignee",
)
COMPLETION_FIELDS = ("outcome", "notes", "channel", "direction")
# The form's one "assignee" field stands for the schema's two.
_FIELD_NAMES = {"assignee_id": "assignee", "queue_id": "assignee", "party_id": "assignee"}


def posted(data: QueryDict, names: tuple[str, ...]) -> dict[str, str]:
    """The posted text of each field (notes kept as typed, the others stripped)."""
    values = {name: data.get(name, "").strip() for name in names}
    if "notes" in values:
        values["notes"] = data.get("notes", "")
    return values


def assignee_choice(text: str) -> dict[str, int | None]:
    """ "user:7" or "team:3" as the schema's assignee_id / queue_id ("" for the one posting).

    Anything else is kept as a value no row has, so the service names it as not usable.
    """
    kind, _sep, raw = text.partition(":")
    pk = id_from_text(raw)
    if not text:
        return {}
    if kind == "team":
        return {"queue_id": pk if pk is not None else 0}
    return {"assignee_id": pk if pk is not None else 0}


def activity_input(values: dict[str, str], *, partial: bool = False) -> dict[str, Any]:
    """The schema's input from the form's text: empty optional fields are left out (or None
    when changing, for the time and the duration, which may be cleared)."""
    data: dict[str, Any] = {}
    for name in ("kind", "title", "notes", "due_date", "priority", "repeat_unit"):
        if values.get(name) or name in ("title", "notes"):
            data[name] = values.get(name, "")
    for name in ("due_time", "duration_minutes"):
        if values.get(name):
            data[name] = values[name]
        elif partial:
            data[name] = None
    data["repeat_every"] = values.get("repeat_every") or "1"
    data.update(assignee_choice(values.get("assignee", "")))
    return data


def validate(schema: type[BaseModel], data: dict[str, Any]) -> tuple[Any, dict[str, list[str]]]:
    """(the schema's instance, {}) or (None, errors by form field)."""
    try:
        return schema.model_validate(data), {}
    except ValidationError as exc:
        return None, errors_by_field(pydantic_messages(exc))


def service_errors(exc: DomainError) -> dict[str, list[str]]:
    """A service's refusal, by form field."""
    return errors_by_field(invalid_messages(exc))


def errors_by_field(pairs: list[tuple[Any, str]]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error, message in pairs:
        name = str(error.field).split(".")[0]
        errors.setdefault(_FIELD_NAMES.get(name, name), []).append(message)
    return errors
