"""Rows for segment tests: customer metrics written directly, and a helper that runs rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from clientela.accounts.models import User
from clientela.analytics.models import CustomerMetrics
from clientela.parties.models import Party
from clientela.segments import queries
from clientela.segments.models import Segment

TODAY = date(2024, 12, 25)


def metrics(party: Party, **fields: Any) -> CustomerMetrics:
    """A CustomerMetrics row as a refresh would leave it; keyword overrides."""
    fields.setdefault("as_of", TODAY)
    fields.setdefault("computed_at", timezone.now())
    fields.setdefault("currency", "EUR")
    fields.setdefault("state_since", TODAY)
    for name in ("clv", "monetary"):
        if isinstance(fields.get(name), int | float | str):
            fields[name] = Decimal(str(fields[name]))
    return CustomerMetrics.objects.create(party=party, **fields)


def names(rules: dict[str, Any], user: User, *, today: date = TODAY) -> set[str]:
    """Given names (organization names for organizations) of the parties the rules select."""
    segment = Segment(name="probe", rules=rules)
    rows = queries.members(segment, user, today=today).values_list("given_name", "display_name")
    return {given or display for given, display in rows}


def cond(field: str, op: str, value: Any = ...) -> dict[str, Any]:
    """A one-condition rule tree."""
    condition: dict[str, Any] = {"field": field, "op": op}
    if value is not ...:
        condition["value"] = value
    return {"all": [condition]}
