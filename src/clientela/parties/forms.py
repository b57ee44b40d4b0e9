"""The party form: POST data to the dict the API schemas validate, and errors back to fields.

Repeatable rows are posted as `<list>-<row>-<field>` (contact_points-0-value); a row left blank
is skipped, so a page can always offer an empty row to fill in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.core.errors import FieldError
from clientela.core.pages import with_value
from clientela.parties.models import CustomField, CustomFieldType, Party, PartyKind
from clientela.parties.queries import visible_parties

ROW_FIELDS: dict[str, tuple[str, ...]] = {
    "contact_points": (
        "kind",
        "label",
        "value",
        "is_primary",
        "street",
        "locality",
        "region",
        "postal_code",
        "country",
    ),
    "roles": ("role", "since", "until"),
    "key_dates": ("kind", "label", "year", "month", "day"),
    "affiliations": ("organization_id", "title", "since", "until"),
}
# A row whose fields here are all empty was left blank and is skipped.
_FILLED_BY = {
    "contact_points": ("value", "label", "street", "locality", "region", "postal_code"),
    "roles": ("role",),
    "key_dates": ("label", "year", "month", "day"),
    "affiliations": ("organization_id", "title"),
}
_OPTIONAL = {"since", "until", "year"}  # empty means "not known"
_ROW_KEY = re.compile(r"^(contact_points|roles|key_dates|affiliations)-(\d{1,3})-(\w+)$")
PERSON_FIELDS = ("given_name", "family_name")
ORGANIZATION_FIELDS = ("organization_name", "organization_level", "parent_id")
COMMON_FIELDS = ("external_id", "language", "timezone", "notes")
BLANK_ROWS = 1  # empty rows offered after the filled ones
# Problems with the whole party that one input is the place to fix, by their code.
_BODY_FIELDS = {
    "person_name_required": "given_name",
    "organization_name_required": "organization_name",
}


@dataclass
class PartyForm:
    """What the page shows: the values (as typed) and the messages next to each field."""

    kind: str
    values: dict[str, Any]
    rows: dict[str, list[dict[str, Any]]]
    errors: dict[str, list[str]] = field(default_factory=dict)
    # payload position -> posted row number, per list, to put errors on the right row
    positions: dict[str, list[int]] = field(default_factory=dict)

    @property
    def is_person(self) -> bool:
        return self.kind == PartyKind.PERSON

    def add_errors(self, pairs: Iterable[tuple[FieldError, str]]) -> None:
        for error, message in pairs:
            self.errors.setdefault(self.key_for(error), []).append(message)

    def key_for(self, error: FieldError) -> str:
        """The name of the input (or row) that an error's dotted path points at."""
        parts = error.field.split(".")
        head = parts[0]
        if head in ROW_FIELDS and len(parts) > 1 and parts[1].isdigit():
            positions = self.positions.get(head, [])
            index = int(parts[1])
            row = positions[index] if index < len(positions) else index
            return f"{head}-{row}" + (f"-{parts[2]}" if len(parts) > 2 else "")
        if head == "custom" and len(parts) > 1:
            return f"custom-{parts[1]}"
        if head == "body":
            return _BODY_FIELDS.get(error.code, "general")
        return head

    def rows_with_errors(self, name: str) -> list[dict[str, Any]]:
        """The rows of one list, each with its own errors, plus blank rows to fill in."""
        result = []
        for row in self.rows.get(name, []):
            prefix = f"{name}-{row['index']}"
            errors = {
                key.removeprefix(prefix + "-"): msgs
                for key, msgs in self.errors.items()
                if key.startswith(prefix + "-")
            }
            result.append(
                {
                    **row,
                    "index": str(row["index"]),
                    "errors": errors,
                    "row_errors": self.errors.get(prefix, []),
                }
            )
        start = max((int(r["index"]) for r in result), default=-1) + 1
        result += [
            {"index": str(start + i), "errors": {}, "row_errors": []} for i in range(BLANK_ROWS)
        ]
        return result


def _rows(data: Mapping[str, str], name: str) -> list[dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for key, value in data.items():
        match = _ROW_KEY.match(key)
        if match and match[1] == name and match[3] in ROW_FIELDS[name]:
            found.setdefault(int(match[2]), {})[match[3]] = value.strip()
    rows = []
    for index in sorted(found):
        row = found[index]
        if any(row.get(f) for f in _FILLED_BY[name]):
            rows.append({"index": index, **{f: row.get(f, "") for f in ROW_FIELDS[name]}})
    return rows


def read_form(post: QueryDict, *, kind: str) -> PartyForm:
    """The values a person typed, kept as text so the page can show them again."""
    data = {key: post.get(key, "") for key in post}
    values: dict[str, Any] = {
        name: data.get(name, "").strip()
        for name in (*PERSON_FIELDS, *ORGANIZATION_FIELDS, *COMMON_FIELDS, "owner_id", "team_id")
    }
    values["notes"] = data.get("notes", "")  # line breaks and indentation are the writer's
    values["tags"] = data.get("tags", "")
    values["custom"] = {
        key.removeprefix("custom-"): value
        for key, value in data.items()
        if key.startswith("custom-")
    }
    rows = {name: _rows(data, name) for name in ROW_FIELDS}
    for row in rows["contact_points"]:
        row["is_primary"] = bool(row["is_primary"])
        row["country"] = row["country"].upper()
    return PartyForm(kind=kind, values=values, rows=rows)


def payload(
    form: PartyForm, *, can_assign: bool, custom_fields: Iterable[CustomField], creating: bool
) -> dict[str, Any]:
    """The dict handed to PartyCreate/PartyUpdate: the same shape the API accepts."""
    values = form.values
    names = PERSON_FIELDS if form.is_person else ORGANIZATION_FIELDS
    data: dict[str, Any] = {name: values[name] for name in (*names, *COMMON_FIELDS)}
    if not form.is_person:
        data["parent_id"] = values["parent_id"] or None
    if can_assign:
        data["owner_id"] = values["owner_id"] or None
        data["team_id"] = values["team_id"] or None
    data["tags"] = [t.strip() for t in values["tags"].split(",") if t.strip()]
    data["custom"] = {
        f.key: values["custom"].get(f.key, "")
        for f in custom_fields
        if not f.applies_to or f.applies_to == form.kind
    }
    lists = ["contact_points", "roles", "key_dates"]
    if form.is_person:
        lists.append("affiliations")
    for name in lists:
        form.positions[name] = [int(row["index"]) for row in form.rows[name]]
        data[name] = [_row_payload(row) for row in form.rows[name]]
    if creating:
        data["kind"] = form.kind
    return data


def _row_payload(row: dict[str, Any]) -> dict[str, Any]:
    result = {}
    for key, value in row.items():
        if key == "index" or (key in _OPTIONAL and value == ""):
            continue
        if key in {"month", "day"} and value == "":
            continue  # missing: the schema says it is required
        result[key] = value
    return result


def initial_form(party: Party) -> PartyForm:
    """The form filled with a saved party (needs parties.services.with_details)."""
    values: dict[str, Any] = {
        name: getattr(party, name) or ""
        for name in (*PERSON_FIELDS, "organization_name", "organization_level", *COMMON_FIELDS)
    }
    values.update(
        parent_id=party.parent_id or "",
        owner_id=party.owner_id or "",
        team_id=party.team_id or "",
        tags=", ".join(t.name for t in party.tags.all()),
        custom={key: _custom_text(value) for key, value in party.custom.items()},
    )
    rows: dict[str, list[dict[str, Any]]] = {
        "contact_points": [
            {"index": i, **{f: getattr(p, f) for f in ROW_FIELDS["contact_points"]}}
            for i, p in enumerate(party.contact_points.all())
        ],
        "roles": [
            {"index": i, "role": r.role, "since": _iso(r.since), "until": _iso(r.until)}
            for i, r in enumerate(party.roles.all())
        ],
        "key_dates": [
            {
                "index": i,
                "kind": k.kind,
                "label": k.label,
                "year": k.year or "",
                "month": k.month,
                "day": k.day,
            }
            for i, k in enumerate(party.key_dates.all())
        ],
        "affiliations": [
            {
                "index": i,
                "organization_id": a.organization_id,
                "title": a.title,
                "since": _iso(a.since),
                "until": _iso(a.until),
            }
            for i, a in enumerate(party.affiliations.all())
        ],
    }
    return PartyForm(kind=party.kind, values=values, rows=rows)


def empty_form(kind: str) -> PartyForm:
    values: dict[str, Any] = dict.fromkeys(
        (*PERSON_FIELDS, *ORGANIZATION_FIELDS, *COMMON_FIELDS, "owner_id", "team_id"), ""
    )
    values.update(tags="", custom={})
    return PartyForm(kind=kind, values=values, rows={name: [] for name in ROW_FIELDS})


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


def _custom_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def custom_inputs(form: PartyForm, fields: Iterable[CustomField]) -> list[dict[str, Any]]:
    """The admin-defined fields that apply to this kind, with value and errors, for the page."""
    return [
        {
            "field": f,
            "name": f"custom-{f.key}",
            "value": form.values["custom"].get(f.key, ""),
            "errors": form.errors.get(f"custom-{f.key}", []),
            "is_choice": f.type == CustomFieldType.CHOICE,
            "is_boolean": f.type == CustomFieldType.BOOLEAN,
            "input_type": {"number": "text", "date": "date"}.get(f.type, "text"),
            "inputmode": "decimal" if f.type == CustomFieldType.NUMBER else "",
        }
        for f in fields
        if not f.applies_to or f.applies_to == form.kind
    ]


# --- organizations chosen by name ----------------------------------------------------------

# An organization picked from the list when another one has the same name: "Name · #2308".
_PICKED = re.compile(r"^(?P<name>.*\S) · #(?P<id>\d{1,18})$")


def organization_text(pk: int, name: str, *, shared: bool) -> str:
    """How the form shows (and the list offers) an organization: its name, with its number
    only when another organization has the same name."""
    return f"{name} · #{pk}" if shared else name


def _organization_inputs(form: PartyForm) -> list[tuple[str, dict[str, Any], str]]:
    """(error key, where the value is kept, key in it) of each organization typed by text."""
    inputs: list[tuple[str, dict[str, Any], str]] = []
    if not form.is_person:
        inputs.append(("parent_id", form.values, "parent_id"))
    else:
        for row in form.rows["affiliations"]:
            inputs.append((f"affiliations-{row['index']}-organization_id", row, "organization_id"))
    return inputs


def resolve_organizations(form: PartyForm, user: User) -> bool:
    """Turn each organization typed or picked by name into its id, as the schemas take it;
    an error next to the input for a name that no visible organization has, or several have.
    An id typed as such, or picked as "Name · #id", is kept for the schema to check. Returns
    True when every organization was found."""
    inputs = _organization_inputs(form)
    texts = {str(where[name]).strip() for _key, where, name in inputs}
    pending = {t for t in texts if t and not t.isdigit() and not _PICKED.match(t)}
    found = organizations_named(user, pending) if pending else {}
    ok = True
    for key, where, name in inputs:
        text = str(where[name]).strip()
        if not text or text.isdigit():
            continue
        if picked := _PICKED.match(text):
            where[name] = picked["id"]
            continue
        ids = found.get(text.lower(), [])
        if len(ids) == 1:
            where[name] = str(ids[0])
            continue
        ok = False
        if ids:
            error = FieldError(
                key, text, _("is the name of several organizations: pick one from the list"),
                code="organization_name_ambiguous",
            )  # fmt: skip
        else:
            error = FieldError(
                key, text, _("is not the name of an organization you can see"),
                code="organization_name_unknown",
            )  # fmt: skip
        form.errors.setdefault(key, []).append(with_value(error))
    return ok


def organizations_named(user: User, names: Iterable[str]) -> dict[str, list[int]]:
    """The visible organizations called each of `names` (case-insensitive), by lower-cased
    name: how the party form finds the organization a person typed or picked by name."""
    wanted = {name.strip().lower() for name in names if name.strip()}
    found: dict[str, list[int]] = {name: [] for name in wanted}
    if not wanted:
        return found
    # iexact, then compared in Python: SQLite folds the case of ASCII letters only.
    matches = Q()
    for name in wanted:
        matches |= Q(display_name__iexact=name)
    rows = (
        visible_parties(user)
        .filter(matches, kind=PartyKind.ORGANIZATION)
        .order_by("pk")
        .values_list("display_name", "pk")
    )
    for name, pk in rows:
        if name.lower() in found:
            found[name.lower()].append(pk)
    return found
