"""A new party's data checked and normalised in plain Python: PartyCreate's rules and
create_party's own (a name, custom fields) applied with the same functions, for the bulk
writer (parties/bulk.py), where a Pydantic model per row would cost more than the write.

`check_new` accepts only what PartyCreate and create_party accept; for anything else it says
so, and the caller asks PartyCreate (and `refusals`) for the exact errors to report, so a
refused row reads the same on every path. tests/parties/test_bulk.py holds the two side by
side.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from clientela.core.errors import FieldError, Problem
from clientela.parties.models import (
    ContactKind,
    CustomField,
    KeyDateKind,
    OrganizationLevel,
    PartyKind,
    RelationshipRole,
)
from clientela.parties.schemas import (
    ContactPointIn,
    PartyFields,
    check_language,
    check_tags,
    check_timezone,
)
from clientela.parties.services.changes import SCALAR_FIELDS
from clientela.parties.services.custom_fields import validate_custom
from clientela.parties.services.identity import (
    name_key,
    normalize_contact,
    normalize_text,
    phones_in_address_country,
)

_KINDS = frozenset(PartyKind.values)
_CONTACT_KINDS = frozenset(ContactKind.values)
_DATE_KINDS = frozenset(KeyDateKind.values)
_ROLES = frozenset(RelationshipRole.values)
_LEVELS = frozenset(OrganizationLevel.values)
_SEARCHED = frozenset({ContactKind.EMAIL, ContactKind.PHONE, ContactKind.SOCIAL})
POINT_FIELDS = ("street", "locality", "region", "postal_code", "country")


def _limit(model: Any, name: str) -> int:
    """The max_length a schema declares for a field (read, not copied)."""
    for meta in model.model_fields[name].metadata:
        if getattr(meta, "max_length", None) is not None:
            return int(meta.max_length)
    raise LookupError(name)


_SCALAR_LIMITS = {
    name: _limit(PartyFields, name)
    for name in ("given_name", "family_name", "organization_name", "external_id", "notes")
}
_POINT_LIMITS = {n: _limit(ContactPointIn, n) for n in ("value", "label", *POINT_FIELDS)}
_LIST_LIMIT = _limit(PartyFields, "tags")


@dataclass
class NewParty:
    """A party ready to be written: its columns, lists and change-log line."""

    kind: str
    scalars: dict[str, Any]
    display_name: str
    search_text: str
    name_key: str
    custom: dict[str, Any]
    tags: list[str]
    roles: list[tuple[str, str | None, str | None]]
    points: list[dict[str, Any]]  # each with "normalized", the first of each kind primary
    key_dates: list[tuple[str, str, int | None, int, int]]
    owner_id: int | None = None
    team_id: int | None = None
    changes: str = ""  # the change log's JSON, as record_change would store it
    keys: list[tuple[str, str]] = field(default_factory=list)  # (email|phone, normalised)


def custom_fields() -> dict[str, CustomField]:
    """The custom field definitions, read once per import."""
    return {f.key: f for f in CustomField.objects.all()}


def check_new(
    data: dict[str, Any],
    fields: dict[str, CustomField],
    normalize: Callable[[str, str, str | None], str] = normalize_contact,
) -> NewParty | None:
    """The party `data` (PartyCreate-shaped) makes, or None when some rule refuses it;
    `normalize` is normalize_contact, or a memory of it (identity.Normals). A phone without
    a country is read in the party's address country, as PartyCreate reads it."""
    try:
        return _checked(data, fields, normalize)
    except (Problem, ValueError, TypeError, KeyError, AttributeError):
        return None


def _text(data: dict[str, Any], name: str) -> str:
    value = data.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(name)
    value = value.strip()
    if name in _SCALAR_LIMITS and len(value) > _SCALAR_LIMITS[name]:
        raise ValueError(name)
    return value


def _checked(
    data: dict[str, Any],
    fields: dict[str, CustomField],
    normalize: Callable[[str, str, str | None], str],
) -> NewParty | None:
    known = {*SCALAR_FIELDS, "kind", "tags", "custom", "roles", "contact_points", "key_dates"}
    if set(data) - known or data.get("kind") not in _KINDS:
        return None
    kind = str(data["kind"])
    scalars = {name: _text(data, name) for name in SCALAR_FIELDS}
    if scalars["language"]:
        check_language(scalars["language"])
    if scalars["timezone"]:
        check_timezone(scalars["timezone"])
    if scalars["organization_level"] not in _LEVELS:
        return None
    if kind == PartyKind.PERSON and not (scalars["given_name"] or scalars["family_name"]):
        return None
    if kind == PartyKind.ORGANIZATION and not scalars["organization_name"]:
        return None
    custom = validate_custom(kind, dict(data.get("custom") or {}), current={}, fields=fields)
    if isinstance(custom, list):
        return None
    tags = check_tags([_item(t) for t in _list(data, "tags")])
    roles = [_role(r) for r in _list(data, "roles")]
    points = _points(_list(data, "contact_points"), normalize)
    dates = [_key_date(d) for d in _list(data, "key_dates")]
    if points is None:
        return None
    given, family, org = scalars["given_name"], scalars["family_name"], scalars["organization_name"]
    shown = org if kind == PartyKind.ORGANIZATION else " ".join(n for n in (given, family) if n)
    searched = [shown, given, family, org]
    searched += [p["normalized"] for p in points if p["kind"] in _SEARCHED]
    party = NewParty(
        kind=kind,
        scalars={**scalars, "external_id": scalars["external_id"] or None},
        display_name=shown,
        search_text=" | ".join(normalize_text(p) for p in searched if p),
        name_key=name_key(kind, given, family, org),
        custom=custom,
        tags=tags,
        roles=roles,
        points=points,
        key_dates=dates,
        keys=[(p["kind"], p["normalized"]) for p in points if p["kind"] in _GUARDED],
    )
    party.changes = json.dumps(created_changes(party), default=str)
    return party


_GUARDED = frozenset({ContactKind.EMAIL, ContactKind.PHONE})


def _list(data: dict[str, Any], name: str) -> list[Any]:
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > _LIST_LIMIT:
        raise ValueError(name)
    return value


def _item(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value.strip()


def _date(value: Any) -> str | None:
    if value is None:
        return None
    return date.fromisoformat(value).isoformat() if isinstance(value, str) else None


def _role(item: Any) -> tuple[str, str | None, str | None]:
    if not isinstance(item, dict) or set(item) - {"role", "since", "until"}:
        raise ValueError(item)
    if item.get("role") not in _ROLES:
        raise ValueError(item)
    since, until = _date(item.get("since")), _date(item.get("until"))
    if since and until and until < since:
        raise ValueError(item)
    return str(item["role"]), since, until


def _points(
    items: list[Any], normalize: Callable[[str, str, str | None], str]
) -> list[dict[str, Any]] | None:
    """The points with their normal forms, each phone read in its country (else the party's
    address country, else the company's); the first of each kind is primary when none was
    chosen (as replace_contact_points makes it)."""
    points: list[dict[str, Any]] = []
    chosen: set[str] = set()
    for item in phones_in_address_country(items):
        allowed = {"kind", "value", "label", "is_primary", *POINT_FIELDS}
        if not isinstance(item, dict) or set(item) - allowed:
            return None
        kind = item.get("kind")
        is_primary = item.get("is_primary", False)
        if kind not in _CONTACT_KINDS or not isinstance(is_primary, bool):
            return None
        if is_primary and kind in chosen:
            return None
        point: dict[str, Any] = {"kind": kind, "is_primary": is_primary}
        for name in ("value", "label", *POINT_FIELDS):
            value = _item(item.get(name, ""))
            if len(value) > _POINT_LIMITS[name]:
                return None
            point[name] = value
        if not point["value"] or (point["country"] and not _is_country(point["country"])):
            return None
        point["normalized"] = normalize(kind, point["value"], point["country"] or None)
        if is_primary:
            chosen.add(kind)
        points.append(point)
    for point in points:
        if point["kind"] not in chosen:
            point["is_primary"] = True
            chosen.add(point["kind"])
    return points


def _is_country(code: str) -> bool:
    return len(code) == 2 and code.isascii() and code.isalpha() and code.isupper()


def _key_date(item: Any) -> tuple[str, str, int | None, int, int]:
    if not isinstance(item, dict) or set(item) - {"kind", "label", "year", "month", "day"}:
        raise ValueError(item)
    kind, label = item.get("kind"), _item(item.get("label", ""))
    year, month, day = item.get("year"), item["month"], item["day"]
    if kind not in _DATE_KINDS or len(label) > 100:
        raise ValueError(item)
    for number in (year, month, day):
        if number is not None and (not isinstance(number, int) or isinstance(number, bool)):
            raise TypeError(number)
    if year is not None and not 1850 <= year <= 2200:
        raise ValueError(year)
    date(year or 2000, month, day)  # a real day (2000: 29 February is one)
    return str(kind), label, year, month, day


def created_changes(party: NewParty) -> dict[str, list[Any]]:
    """The change-log line of a new party, as `diff({}, snapshot(party))` writes it."""
    after: dict[str, Any] = {name: party.scalars[name] for name in SCALAR_FIELDS}
    after.update(owner_id=party.owner_id, team_id=party.team_id, parent_id=None)
    after["archived"] = False
    after["custom"] = party.custom
    after["tags"] = sorted(party.tags)
    after["roles"] = sorted(r[0] for r in party.roles)
    after["contact_points"] = sorted(p["normalized"] for p in party.points)
    after["key_dates"] = sorted(
        (f"{y:04d}-" if y else "--") + f"{m:02d}-{d:02d}" for _k, _l, y, m, d in party.key_dates
    )
    after["affiliations"] = []
    empty: tuple[Any, ...] = (None, "", [], {})
    return {k: [None, v] for k, v in after.items() if v is not None and v not in empty}


def refusals(kind: str, custom: dict[str, Any], scalars: dict[str, Any]) -> list[FieldError]:
    """What create_party itself (beyond PartyCreate) says of these values: the name it
    needs (records.check_name), the custom fields' rules (validate_custom)."""
    from clientela.parties.models import Party
    from clientela.parties.services.records import check_name

    errors: list[FieldError] = []
    names = {k: scalars.get(k) or "" for k in ("given_name", "family_name", "organization_name")}
    check_name(Party(kind=kind, **names), errors)
    checked = validate_custom(kind, custom, current={})
    return errors + (checked if isinstance(checked, list) else [])
