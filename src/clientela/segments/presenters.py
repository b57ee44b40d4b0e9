"""Segments shown to people: sentences for a rule tree, data for the builder, the CSV export."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.accounts.models import Team, User
from clientela.analytics.models import LifecycleState
from clientela.core.cells import neutralise
from clientela.parties.models import Party, PartyKind, RelationshipRole
from clientela.parties.presenters import party_summary
from clientela.segments.models import Segment
from clientela.segments.services.fields import FieldSpec, FieldType
from clientela.segments.services.rules import conditions_of

# What each operator is called in the builder and in a rule's sentence.
OPERATOR_LABELS: dict[str, Promise] = {
    "eq": gettext_lazy("is"),
    "ne": gettext_lazy("is not"),
    "in": gettext_lazy("is any of"),
    "not_in": gettext_lazy("is none of"),
    "gt": gettext_lazy("is greater than"),
    "gte": gettext_lazy("is at least"),
    "lt": gettext_lazy("is less than"),
    "lte": gettext_lazy("is at most"),
    "between": gettext_lazy("is between"),
    "contains": gettext_lazy("contains"),
    "starts_with": gettext_lazy("starts with"),
    "is_empty": gettext_lazy("is empty"),
    "is_not_empty": gettext_lazy("is not empty"),
    "within_days": gettext_lazy("comes within (days)"),
    "before_days_ago": gettext_lazy("is more than N days ago"),
    "after_days_ago": gettext_lazy("is within the last N days"),
}

# The columns of a segment's CSV export.
EXPORT_COLUMNS = [
    "id",
    "external_id",
    "kind",
    "display_name",
    "primary_email",
    "primary_phone",
    "owner",
    "team",
    "roles",
    "tags",
    "lifecycle_state",
    "rfm_segment",
    "tier",
    "clv",
]


@dataclass(frozen=True)
class RuleLine:
    depth: int
    text: str


def rule_lines(tree: dict[str, Any], catalog: dict[str, FieldSpec]) -> list[RuleLine]:
    """The rule tree as indented sentences: "All of:", "  Lifecycle state is At risk"."""
    names = _reference_names(tree)
    lines: list[RuleLine] = []

    def walk(node: dict[str, Any], depth: int) -> None:
        ((joiner, children),) = node.items()
        lines.append(RuleLine(depth, _("All of:") if joiner == "all" else _("Any of:")))
        if not children:
            empty = _("(no conditions: every party)") if joiner == "all" else _("(nobody)")
            lines.append(RuleLine(depth + 1, empty))
        for child in children:
            if "field" in child:
                lines.append(RuleLine(depth + 1, _sentence(child, catalog, names)))
            else:
                walk(child, depth + 1)

    walk(tree, 0)
    return lines


def _sentence(cond: dict[str, Any], catalog: dict[str, FieldSpec], names: dict[Any, str]) -> str:
    spec = catalog.get(cond["field"])
    label = str(spec.label) if spec else cond["field"]
    op = str(OPERATOR_LABELS.get(cond["op"], cond["op"]))
    if "value" not in cond:
        return f"{label} {op}"
    return f"{label} {op} {_shown(cond['value'], spec, names)}"


def _shown(value: Any, spec: FieldSpec | None, names: dict[Any, str]) -> str:
    if isinstance(value, list):
        return ", ".join(_shown(v, spec, names) for v in value)
    if spec is not None and spec.type == FieldType.REFERENCE:
        return names.get((spec.name, value), f"#{value}")
    if spec is not None and spec.choices:
        return str(dict(spec.choices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def _reference_names(tree: dict[str, Any]) -> dict[Any, str]:
    ids: dict[str, set[int]] = {"owner": set(), "team": set()}
    for cond in conditions_of(tree):
        if cond["field"] in ids and "value" in cond:
            value = cond["value"]
            ids[cond["field"]].update(value if isinstance(value, list) else [value])
    names: dict[Any, str] = {}
    if ids["owner"]:
        names.update({("owner", u.pk): str(u) for u in User.objects.filter(pk__in=ids["owner"])})
    if ids["team"]:
        names.update({("team", t.pk): t.name for t in Team.objects.filter(pk__in=ids["team"])})
    return names


def catalog_for_builder(catalog: dict[str, FieldSpec]) -> list[dict[str, Any]]:
    """The catalog as plain data for the rule builder page (labels in the active language)."""
    return [
        {
            "name": spec.name,
            "type": spec.type.value,
            "label": str(spec.label),
            "group": str(spec.group),
            "operators": [{"op": op, "label": str(OPERATOR_LABELS[op])} for op in spec.operators],
            "choices": [[value, str(label)] for value, label in spec.choices],
            "integer": spec.integer,
        }
        for spec in catalog.values()
    ]


def builder_fields(catalog: dict[str, FieldSpec]) -> list[dict[str, Any]]:
    """The catalog for the rule builder, with users and teams to pick owner and team from."""
    fields = catalog_for_builder(catalog)
    active = User.objects.filter(is_active=True).order_by("full_name", "email")
    users = [[u.pk, str(u)] for u in active]
    teams = [[t.pk, t.name] for t in Team.objects.order_by("name")]
    for item in fields:
        if item["name"] == "owner":
            item["choices"] = users
        elif item["name"] == "team":
            item["choices"] = teams
    return fields


def builder_texts() -> dict[str, str]:
    """The words the builder script shows, in the active language."""
    return {
        "all": _("All of these"),
        "any": _("Any of these"),
        "add_condition": _("Add condition"),
        "add_group": _("Add group"),
        "remove": _("Remove"),
        "field": _("Field"),
        "operator": _("Operator"),
        "value": _("Value"),
        "and": _("and"),
        "yes": _("yes"),
        "no": _("no"),
        "list_hint": _("separate values with commas"),
        "days": _("days"),
        "match": _("Match"),
    }


class _Echo:
    """A file-like object that hands back what is written, for streaming."""

    def write(self, value: str) -> str:
        return value


def member_csv(parties: QuerySet[Party]) -> Iterator[str]:
    """The parties (segments.queries.export_members) as CSV lines, header first, formula-like
    cells neutralised."""
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(EXPORT_COLUMNS)
    for party in parties.iterator(chunk_size=1000):
        yield writer.writerow([neutralise(_cell(v)) for v in _export_row(party)])


def _export_row(party: Party) -> list[Any]:
    summary = party_summary(party)
    metrics = party.metrics if _has_metrics(party) else None
    return [
        party.pk,
        party.external_id,
        party.kind,
        party.display_name,
        summary["primary_email"],
        summary["primary_phone"],
        summary["owner"]["name"] if summary["owner"] else "",
        summary["team"]["name"] if summary["team"] else "",
        " ".join(summary["roles"]),
        ", ".join(summary["tags"]),
        metrics.lifecycle_state if metrics else "",
        metrics.rfm_segment if metrics else "",
        metrics.tier if metrics else "",
        metrics.clv if metrics else "",
    ]


def _has_metrics(party: Party) -> bool:
    try:
        party.metrics  # noqa: B018  (reading it raises when the party has none yet)
    except Party.metrics.RelatedObjectDoesNotExist:
        return False
    return True


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def export_filename(segment: Segment) -> str:
    """A safe file name for the segment's export."""
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in segment.name.lower()).strip("-")
    return f"segment-{segment.pk}-{stem[:40] or 'members'}.csv"


def list_row(party: Party, columns: list[str]) -> dict[str, Any]:
    """One row of the party list: the party's summary and a value for each chosen column
    (needs segments.services.listing.list_parties' loading)."""
    summary = party_summary(party)
    metrics = party.metrics if _has_metrics(party) else None
    roles = dict(RelationshipRole.choices)
    lifecycle = dict(LifecycleState.choices)
    values: dict[str, Any] = {
        "kind": PartyKind(party.kind).label,
        "roles": [roles.get(r, r) for r in summary["roles"]],
        "email": summary["primary_email"],
        "phone": summary["primary_phone"],
        "owner": summary["owner"]["name"] if summary["owner"] else None,
        "team": summary["team"]["name"] if summary["team"] else None,
        "tags": summary["tags"],
        "created": party.created_at,
        "last_interaction": getattr(party, "last_interaction", None),
        "clv": metrics.clv if metrics else None,
        "p_alive": metrics.p_alive if metrics else None,
        "lifecycle": lifecycle.get(metrics.lifecycle_state) if metrics else None,
        "tier": (metrics.tier or None) if metrics else None,
        "last_order": metrics.last_purchase_at if metrics else None,
    }
    cells = []
    for key in columns:
        if key.startswith("custom."):
            value = party.custom.get(key.removeprefix("custom."))
        else:
            value = values.get(key)
        cells.append({"key": key, "value": value, "empty": value in (None, "", [])})
    return {**summary, "kind_label": values["kind"], "cells": cells}
