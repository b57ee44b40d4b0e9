"""The fields a segment rule may test: each with a type, its operators and how it is reached.

Nothing outside this list is accepted, so a rule can never name a column or a lookup of its own
choosing. Custom fields (`custom.<key>`) and key dates (`key_date.<kind>`) are resolved against
the admin's CustomField definitions and KeyDateKind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clientela.analytics.models import LifecycleState, RfmSegment
from clientela.parties.models import (
    CustomField,
    CustomFieldType,
    KeyDateKind,
    PartyKind,
    RelationshipRole,
)


class FieldType(StrEnum):
    TEXT = "text"
    CHOICE = "choice"
    MULTI = "multi"  # several values per party: roles, tags
    REFERENCE = "reference"  # an id: owner, team
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"
    KEY_DATE = "key_date"


EMPTINESS = ("is_empty", "is_not_empty")
OPERATORS: dict[FieldType, tuple[str, ...]] = {
    FieldType.TEXT: ("eq", "ne", "in", "not_in", "contains", "starts_with", *EMPTINESS),
    FieldType.CHOICE: ("eq", "ne", "in", "not_in", *EMPTINESS),
    FieldType.MULTI: ("eq", "ne", "in", "not_in", *EMPTINESS),
    FieldType.REFERENCE: ("eq", "ne", "in", "not_in", *EMPTINESS),
    FieldType.NUMBER: ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "between", *EMPTINESS),
    FieldType.DATE: (
        "eq",
        "ne",
        "gt",
        "gte",
        "lt",
        "lte",
        "between",
        "before_days_ago",
        "after_days_ago",
        *EMPTINESS,
    ),
    FieldType.BOOLEAN: ("eq",),
    FieldType.KEY_DATE: ("within_days", *EMPTINESS),
}


@dataclass(frozen=True)
class FieldSpec:
    """One field a rule may name."""

    name: str
    type: FieldType
    label: Promise | str
    group: Promise | str
    # How it is reached from Party: a lookup path, or a kind handled by the compiler.
    path: str = ""
    choices: tuple[tuple[str, Any], ...] = ()
    integer: bool = False  # numbers that must be whole (scores, counts, days)
    minimum: float | None = None
    maximum: float | None = None
    metrics: bool = False  # lives on analytics' CustomerMetrics
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def operators(self) -> tuple[str, ...]:
        return OPERATORS[self.type]


_PARTY = _("Party")
_VALUE = _("Customer value")
_DATES = _("Key dates")
_CUSTOM = _("Custom fields")


def _choices(enum: Any) -> tuple[tuple[str, Any], ...]:
    return tuple((value, label) for value, label in enum.choices if value)


def _score(name: str, label: Promise) -> FieldSpec:
    return FieldSpec(
        name,
        FieldType.NUMBER,
        label,
        _VALUE,
        f"metrics__{name}",
        integer=True,
        minimum=1,
        maximum=5,
        metrics=True,
    )


def _static_fields() -> dict[str, FieldSpec]:
    specs = [
        FieldSpec("kind", FieldType.CHOICE, _("Kind"), _PARTY, "kind", _choices(PartyKind)),
        FieldSpec("role", FieldType.MULTI, _("Role"), _PARTY, "role", _choices(RelationshipRole)),
        FieldSpec("tag", FieldType.MULTI, _("Tag"), _PARTY, "tag"),
        FieldSpec("owner", FieldType.REFERENCE, _("Owner"), _PARTY, "owner_id"),
        FieldSpec("team", FieldType.REFERENCE, _("Team"), _PARTY, "team_id"),
        FieldSpec("country", FieldType.TEXT, _("Country (postal address)"), _PARTY, "country"),
        FieldSpec("language", FieldType.TEXT, _("Preferred language"), _PARTY, "language"),
        FieldSpec("created_at", FieldType.DATE, _("Created on"), _PARTY, "created_at__date"),
        FieldSpec("has_email", FieldType.BOOLEAN, _("Has an e-mail address"), _PARTY, "email"),
        FieldSpec("has_phone", FieldType.BOOLEAN, _("Has a phone number"), _PARTY, "phone"),
        FieldSpec(
            "lifecycle_state",
            FieldType.CHOICE,
            _("Lifecycle state"),
            _VALUE,
            "metrics__lifecycle_state",
            _choices(LifecycleState),
            metrics=True,
        ),
        FieldSpec(
            "rfm_segment",
            FieldType.CHOICE,
            _("RFM segment"),
            _VALUE,
            "metrics__rfm_segment",
            _choices(RfmSegment),
            metrics=True,
        ),
        _score("r_score", _("R score (recency, 1-5)")),
        _score("f_score", _("F score (frequency, 1-5)")),
        _score("m_score", _("M score (money, 1-5)")),
        FieldSpec(
            "clv", FieldType.NUMBER, _("Lifetime value"), _VALUE, "metrics__clv", metrics=True
        ),
        FieldSpec(
            "p_alive",
            FieldType.NUMBER,
            _("Probability alive (0-1)"),
            _VALUE,
            "metrics__p_alive",
            minimum=0,
            maximum=1,
            metrics=True,
        ),
        FieldSpec(
            "expected_purchases",
            FieldType.NUMBER,
            _("Expected purchases"),
            _VALUE,
            "metrics__expected_purchases",
            minimum=0,
            metrics=True,
        ),
        FieldSpec("tier", FieldType.TEXT, _("Value tier"), _VALUE, "metrics__tier", metrics=True),
        FieldSpec(
            "frequency",
            FieldType.NUMBER,
            _("Repeat purchases"),
            _VALUE,
            "metrics__frequency",
            integer=True,
            minimum=0,
            metrics=True,
        ),
        FieldSpec(
            "monetary",
            FieldType.NUMBER,
            _("Total spent"),
            _VALUE,
            "metrics__monetary",
            metrics=True,
        ),
        FieldSpec(
            "recency_days",
            FieldType.NUMBER,
            _("Days since last purchase"),
            _VALUE,
            "metrics__recency_days",
            integer=True,
            minimum=0,
            metrics=True,
        ),
        FieldSpec(
            "first_purchase_at",
            FieldType.DATE,
            _("First purchase"),
            _VALUE,
            "metrics__first_purchase_at",
            metrics=True,
        ),
        FieldSpec(
            "last_purchase_at",
            FieldType.DATE,
            _("Last purchase"),
            _VALUE,
            "metrics__last_purchase_at",
            metrics=True,
        ),
    ]
    for kind in KeyDateKind:
        specs.append(
            FieldSpec(f"key_date.{kind.value}", FieldType.KEY_DATE, kind.label, _DATES, kind.value)
        )
    return {s.name: s for s in specs}


STATIC_FIELDS = _static_fields()

_CUSTOM_TYPES = {
    CustomFieldType.TEXT: FieldType.TEXT,
    CustomFieldType.CHOICE: FieldType.CHOICE,
    CustomFieldType.NUMBER: FieldType.NUMBER,
    CustomFieldType.DATE: FieldType.DATE,
    CustomFieldType.BOOLEAN: FieldType.BOOLEAN,
}


def custom_spec(custom: CustomField) -> FieldSpec:
    """The rule field for an admin-defined custom field, typed from its definition."""
    return FieldSpec(
        f"custom.{custom.key}",
        _CUSTOM_TYPES[CustomFieldType(custom.type)],
        custom.label,
        _CUSTOM,
        custom.key,
        tuple((str(c), str(c)) for c in custom.choices or ()),
        extra={"custom": True},
    )


def field_catalog() -> dict[str, FieldSpec]:
    """Every field a rule may name right now: the fixed ones and each custom field."""
    catalog = dict(STATIC_FIELDS)
    for custom in CustomField.objects.order_by("position", "key"):
        spec = custom_spec(custom)
        catalog[spec.name] = spec
    return catalog
