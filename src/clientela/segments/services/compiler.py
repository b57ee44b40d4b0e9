"""Turning checked segment rules into Django ORM filters over Party: no SQL is ever written here.

Values several to a party (roles, tags, contact points, key dates) are tested with EXISTS
subqueries, so a party appears once and "is not" means "has none". Metrics come through the
one-to-one `Party.metrics` (analytics.CustomerMetrics); a party with no metrics row yet counts
as "potential" for lifecycle_state and as empty for every other metric.
"""

from __future__ import annotations

import calendar
import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Exists, Expression, OuterRef, Q, QuerySet, TextField
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast

from clientela.analytics.models import LifecycleState
from clientela.parties.models import ContactKind, ContactPoint, KeyDate, Party, PartyRole
from clientela.parties.services.tags import tag_key
from clientela.segments.services.fields import FieldSpec, FieldType

_NONE = Q(pk__in=[])


@dataclass
class Compiled:
    """A filter over Party and the aliases (custom-field values) it refers to."""

    q: Q
    aliases: dict[str, Expression] = field(default_factory=dict)

    def apply(self, parties: QuerySet[Party]) -> QuerySet[Party]:
        return (
            parties.alias(**self.aliases).filter(self.q) if self.aliases else parties.filter(self.q)
        )


def compile_rules(tree: dict[str, Any], catalog: dict[str, FieldSpec], *, today: date) -> Compiled:
    """The filter for a tree already checked by services.rules.validate_rules."""
    compiled = Compiled(Q())
    compiled.q = _group(tree, catalog, today, compiled.aliases)
    return compiled


def _group(
    node: dict[str, Any], catalog: dict[str, FieldSpec], today: date, aliases: dict[str, Any]
) -> Q:
    ((joiner, children),) = node.items()
    parts = [
        _condition(child, catalog[child["field"]], today, aliases)
        if "field" in child
        else _group(child, catalog, today, aliases)
        for child in children
    ]
    if not parts:
        return Q() if joiner == "all" else _NONE
    result = parts[0]
    for part in parts[1:]:
        result = result & part if joiner == "all" else result | part
    return result


def _condition(cond: dict[str, Any], spec: FieldSpec, today: date, aliases: dict[str, Any]) -> Q:
    op, value = cond["op"], cond.get("value")
    negate = op in ("ne", "not_in", "is_not_empty")
    positive = {"ne": "eq", "not_in": "in", "is_not_empty": "is_empty"}.get(op, op)
    if spec.extra.get("custom"):
        q, alias = _custom(spec, positive, value, today, aliases)
        if op in ("ne", "not_in"):  # a party without the value is not equal to it either
            return ~q | Q(**{f"{alias}__isnull": True})
    elif spec.type == FieldType.MULTI:
        q = _multi(spec, positive, value)
    elif spec.type == FieldType.KEY_DATE:
        q = _key_date(spec, positive, value, today)
    elif spec.type == FieldType.BOOLEAN:
        q = _has_contact(ContactKind.EMAIL if spec.name == "has_email" else ContactKind.PHONE)
        return q if value else ~q
    elif spec.name == "country":
        q = _country(positive, value)
    else:
        q = _column(spec.path, spec.type, positive, value, today)
        if spec.name == "lifecycle_state" and _names_potential(positive, value):
            q |= Q(metrics__isnull=True)
    return ~q if negate else q


def _names_potential(op: str, value: Any) -> bool:
    values = value if isinstance(value, list) else [value]
    return op in ("eq", "in") and LifecycleState.POTENTIAL in values


def _column(path: str, kind: FieldType, op: str, value: Any, today: date) -> Q:
    """A test on one column (or alias) reached by `path`, for the positive operators."""
    if op == "is_empty":
        q = Q(**{f"{path}__isnull": True})
        if kind in (FieldType.TEXT, FieldType.CHOICE):
            q |= Q(**{path: ""})
        return q
    if op == "before_days_ago":
        return Q(**{f"{path}__lt": today - timedelta(days=value)})
    if op == "after_days_ago":
        return Q(**{f"{path}__gte": today - timedelta(days=value)})
    if op == "between":
        low, high = (_typed(kind, v) for v in value)
        return Q(**{f"{path}__gte": low, f"{path}__lte": high})
    lookup = {
        "eq": "exact",
        "in": "in",
        "gt": "gt",
        "gte": "gte",
        "lt": "lt",
        "lte": "lte",
        "contains": "icontains",
        "starts_with": "istartswith",
    }[op]
    typed = [_typed(kind, v) for v in value] if op == "in" else _typed(kind, value)
    return Q(**{f"{path}__{lookup}": typed})


def _typed(kind: FieldType, value: Any) -> Any:
    return date.fromisoformat(value) if kind == FieldType.DATE else value


def _country(op: str, value: Any) -> Q:
    """The country of the party's primary postal address."""
    addresses = ContactPoint.objects.filter(
        party=OuterRef("pk"), kind=ContactKind.ADDRESS, is_primary=True
    )
    if op == "is_empty":
        return Q(~Exists(addresses.exclude(country="")))
    lookup = {"eq": "exact", "in": "in", "contains": "icontains", "starts_with": "istartswith"}[op]
    if op in ("eq", "in"):
        value = [v.upper() for v in value] if op == "in" else value.upper()
    return Q(Exists(addresses.filter(**{f"country__{lookup}": value})))


def _has_contact(kind: str) -> Q:
    return Q(Exists(ContactPoint.objects.filter(party=OuterRef("pk"), kind=kind)))


def _multi(spec: FieldSpec, op: str, value: Any) -> Q:
    """Roles and tags: "is" means "has", "is empty" means "has none"."""
    if spec.name == "role":
        rows: QuerySet[Any] = PartyRole.objects.filter(party=OuterRef("pk"))
        column = "role"
    else:
        rows = Party.tags.through.objects.filter(party=OuterRef("pk"))
        column = "tag__key"  # "VIP" matches the tag written "vip"
    if op == "is_empty":
        return Q(~Exists(rows))
    if column == "tag__key":
        value = [tag_key(v) for v in value] if op == "in" else tag_key(value)
    lookup = "in" if op == "in" else "exact"
    return Q(Exists(rows.filter(**{f"{column}__{lookup}": value})))


def _key_date(spec: FieldSpec, op: str, value: Any, today: date) -> Q:
    rows = KeyDate.objects.filter(party=OuterRef("pk"), kind=spec.path)
    if op == "is_empty":
        return Q(~Exists(rows))
    window = Q()
    for month, first, last in month_day_ranges(today, value):
        window |= Q(month=month, day__gte=first, day__lte=last)
    return Q(Exists(rows.filter(window)))


def month_day_ranges(today: date, days: int) -> list[tuple[int, int, int]]:
    """(month, first day, last day) covering today to today + `days`, across the year end.

    In a year without 29 February, that date is celebrated on the 28th.
    """
    ranges: list[list[int]] = []
    for offset in range(days + 1):
        day = today + timedelta(days=offset)
        last = day.day
        if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
            last = 29
        if ranges and ranges[-1][0] == day.month and ranges[-1][2] == day.day - 1:
            ranges[-1][2] = last
        else:
            ranges.append([day.month, day.day, last])
    return [(m, first, last) for m, first, last in ranges]


def _custom(
    spec: FieldSpec, op: str, value: Any, today: date, aliases: dict[str, Any]
) -> tuple[Q, str]:
    """A custom field, read from Party.custom under the field's key; also the alias's name."""
    digest = hashlib.sha256(spec.path.encode()).hexdigest()[:16]
    as_text = spec.type in (FieldType.TEXT, FieldType.DATE, FieldType.CHOICE)
    name = f"segment_custom_{'t' if as_text else 'j'}_{digest}"
    # Text, choices and ISO dates are read as plain text so every text lookup applies as is;
    # numbers and booleans stay JSON values, compared by the JSON key lookups.
    aliases[name] = (
        Cast(KeyTextTransform(spec.path, "custom"), output_field=TextField())
        if as_text
        else KeyTransform(spec.path, "custom")
    )
    if spec.type == FieldType.BOOLEAN:  # not set counts as false
        is_true = Q(**{name: True})
        return (is_true if value else ~is_true | Q(**{f"{name}__isnull": True})), name
    if spec.type == FieldType.DATE and op in ("before_days_ago", "after_days_ago"):
        limit = (today - timedelta(days=value)).isoformat()  # ISO text sorts as dates do
        return Q(**{f"{name}__{'lt' if op == 'before_days_ago' else 'gte'}": limit}), name
    kind = FieldType.TEXT if spec.type == FieldType.DATE else spec.type
    return _column(name, kind, op, value, today), name
