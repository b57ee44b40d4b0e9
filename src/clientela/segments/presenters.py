"""Segment rules and catalog shown to people: sentences for a rule tree, data for the builder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from clientela.accounts.models import Team, User
from clientela.segments.fields import OPERATOR_LABELS, FieldSpec, FieldType, catalog_for_builder
from clientela.segments.rules import conditions_of


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
