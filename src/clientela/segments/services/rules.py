"""Checking segment rules: a JSON tree of and/or groups and conditions on declared fields.

    {"all": [{"field": "lifecycle_state", "op": "eq", "value": "at_risk"},
             {"any": [{"field": "clv", "op": "gte", "value": 500},
                      {"field": "tag", "op": "in", "value": ["vip", "press"]}]}]}

Every problem is reported with its place in the tree (`rules.all.1.any.0.value`) and the value
sent. Trees deeper or larger than the limits are refused as soon as the limit is passed, before
the rest is read.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Team, User
from clientela.core.errors import FieldError, Invalid, Problem
from clientela.core.ids import is_id
from clientela.core.validation import nul_error
from clientela.segments.services.fields import FieldSpec, FieldType

MAX_DEPTH = 5  # levels of groups, the outermost one included
MAX_CONDITIONS = 100
MAX_LIST = 500  # values of one in / not_in
MAX_TEXT = 200
MAX_DAYS = 3660
MAX_WITHIN_DAYS = 366
MAX_RULES_TEXT = 65_536  # characters of rules sent as JSON text (the builder's form)
_MAX_ERRORS = 20
GROUPS = ("all", "any")
NO_VALUE = ("is_empty", "is_not_empty")
DAY_COUNTS = ("before_days_ago", "after_days_ago", "within_days")
EMPTY_RULES: dict[str, Any] = {"all": []}


class _TooBig(Exception):
    """Stops the walk: the tree is past a limit, reading on would only cost time."""


@dataclass
class _Walk:
    catalog: dict[str, FieldSpec]
    errors: list[FieldError] = field(default_factory=list)
    conditions: int = 0
    # (path, field name, ids, value as sent) of each owner/team condition, checked at the end.
    references: list[tuple[str, str, list[int], Any]] = field(default_factory=list)

    def fail(self, path: str, value: Any, problem: Problem) -> None:
        self.errors.append(problem.at(path, _shown(value)))
        if len(self.errors) >= _MAX_ERRORS:
            raise _TooBig


def _shown(value: Any) -> Any:
    """Values are echoed back in errors; containers are shown as compact JSON."""
    if isinstance(value, dict | list):
        try:
            return json.dumps(value, separators=(",", ":"))[:200]
        except (TypeError, ValueError, RecursionError):
            return str(type(value).__name__)
    return value


def parse_rules_text(text: str, *, name: str = "rules") -> Any:
    """Rules sent as JSON text (the builder's form field); Invalid when not JSON or too big."""
    if len(text) > MAX_RULES_TEXT:
        raise Invalid(
            FieldError(
                name, None, _("is longer than %(n)d characters"),
                code="rules_text_too_long", params={"n": MAX_RULES_TEXT},
            )
        )  # fmt: skip
    try:
        rules = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise Invalid(
            FieldError(name, text, _("is not valid JSON"), code="rules_json_invalid")
        ) from exc
    if "\\u0000" in text:  # how JSON writes a NUL: refused as the API refuses it
        nul = nul_error({name: rules})
        if nul is not None:
            raise Invalid(nul)
    return rules


def validate_rules(rules: Any, catalog: dict[str, FieldSpec]) -> dict[str, Any]:
    """The rules with every value in its canonical form, or Invalid naming each problem."""
    walk = _Walk(catalog)
    try:
        tree = _group(walk, rules, "rules", depth=1)
    except _TooBig:
        tree = None
    if not walk.errors:
        _check_references(walk)
    if walk.errors or tree is None:
        raise Invalid(walk.errors, code="rules_invalid")
    return tree


def _group(walk: _Walk, node: Any, path: str, *, depth: int) -> dict[str, Any] | None:
    if not isinstance(node, dict) or len(node) != 1 or next(iter(node)) not in GROUPS:
        walk.fail(
            path,
            node,
            Problem(
                "rule_not_a_group", _("must be a group: an object with one key, “all” or “any”")
            ),
        )
        return None
    if depth > MAX_DEPTH:
        walk.fail(
            path,
            None,
            Problem("rules_too_deep", _("groups nest more than %(n)d levels deep"), n=MAX_DEPTH),
        )
        raise _TooBig
    ((joiner, children),) = node.items()
    path = f"{path}.{joiner}"
    if not isinstance(children, list):
        walk.fail(
            path,
            children,
            Problem("rule_group_not_a_list", _("must be a list of conditions and groups")),
        )
        return None
    out = []
    for index, child in enumerate(children):
        child_path = f"{path}.{index}"
        if isinstance(child, dict) and len(child) == 1 and next(iter(child)) in GROUPS:
            result = _group(walk, child, child_path, depth=depth + 1)
        else:
            result = _condition(walk, child, child_path)
        if result is not None:
            out.append(result)
    return {joiner: out}


def _condition(walk: _Walk, node: Any, path: str) -> dict[str, Any] | None:
    walk.conditions += 1
    if walk.conditions > MAX_CONDITIONS:
        walk.fail(
            "rules",
            None,
            Problem("rules_too_many", _("has more than %(n)d conditions"), n=MAX_CONDITIONS),
        )
        raise _TooBig
    if not isinstance(node, dict) or "field" not in node:
        walk.fail(
            path,
            node,
            Problem(
                "rule_not_a_condition",
                _("must be a condition {field, op, value} or a group {all|any}"),
            ),
        )
        return None
    for key in node:
        if key not in ("field", "op", "value"):
            walk.fail(
                f"{path}.{key}",
                node[key],
                Problem("rule_part_unknown", _("is not a part of a condition"), part=key),
            )
            return None
    name, op = node.get("field"), node.get("op")
    spec = walk.catalog.get(name) if isinstance(name, str) else None
    if spec is None:
        walk.fail(
            f"{path}.field",
            name,
            Problem("rule_field_unknown", _("is not a field segments can use"), field=name),
        )
        return None
    if not isinstance(op, str) or op not in spec.operators:
        walk.fail(
            f"{path}.op",
            op,
            Problem(
                "rule_operator_unknown",
                _("is not an operator for %(field)s; use one of: %(ops)s"),
                field=name,
                ops=", ".join(spec.operators),
            ),
        )
        return None
    value = node.get("value")
    try:
        clean = _value(walk, spec, op, value)
    except Problem as problem:
        walk.fail(f"{path}.value", value, problem)
        return None
    if spec.type == FieldType.REFERENCE and clean is not None:
        ids = clean if isinstance(clean, list) else [clean]
        walk.references.append((f"{path}.value", spec.name, ids, value))
    out = {"field": name, "op": op}
    if op not in NO_VALUE:
        out["value"] = clean
    return out


def _value(walk: _Walk, spec: FieldSpec, op: str, value: Any) -> Any:
    """The value in its canonical form, or a Problem saying what the operator needs."""
    if op in NO_VALUE:
        if value is not None:
            raise Problem(
                "rule_value_not_taken",
                _("must be left out: this operator takes no value"),
                operator=op,
            )
        return None
    if op in DAY_COUNTS:
        most = MAX_WITHIN_DAYS if op == "within_days" else MAX_DAYS
        if not _is_int(value) or not 0 <= value <= most:
            raise Problem(
                "rule_days_invalid", _("must be a whole number of days from 0 to %(n)d"), n=most
            )
        return value
    if op in ("in", "not_in"):
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_LIST:
            raise Problem("rule_list_invalid", _("must be a list of 1 to %(n)d values"), n=MAX_LIST)
        return [_scalar(walk, spec, item) for item in value]
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise Problem("rule_range_invalid", _("must be a list of two values: [from, to]"))
        low, high = (_scalar(walk, spec, item) for item in value)
        if low > high:
            raise Problem(
                "rule_range_reversed", _("must go from the smaller value to the larger one")
            )
        return [low, high]
    if op in ("contains", "starts_with"):
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
            raise Problem(
                "rule_text_invalid", _("must be text of 1 to %(n)d characters"), n=MAX_TEXT
            )
        return value.strip()
    return _scalar(walk, spec, value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _scalar(walk: _Walk, spec: FieldSpec, value: Any) -> Any:
    kind = spec.type
    if kind in (FieldType.TEXT, FieldType.MULTI, FieldType.CHOICE) and not spec.choices:
        return _text(spec, value)
    if kind in (FieldType.CHOICE, FieldType.MULTI):
        allowed = [c for c, _label in spec.choices]
        if value not in allowed:
            raise Problem(
                "rule_choice_unknown", _("must be one of: %(values)s"), values=", ".join(allowed)
            )
        return value
    if kind == FieldType.REFERENCE:
        if not is_id(value):  # 2**63 would reach SQL and overflow it
            raise _not_an_id(spec.name)
        return value
    if kind == FieldType.NUMBER:
        return _number(spec, value)
    if kind == FieldType.DATE:
        problem = Problem("rule_date_invalid", _("must be a date as YYYY-MM-DD"))
        if not isinstance(value, str):
            raise problem
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError as exc:
            raise problem from exc
    if kind == FieldType.BOOLEAN:
        if not isinstance(value, bool):
            raise Problem("rule_boolean_invalid", _("must be true or false"))
        return value
    raise Problem("rule_value_invalid", _("is not a value this field takes"))


def _text(spec: FieldSpec, value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise Problem(
            "rule_text_too_long", _("must be text of at most %(n)d characters"), n=MAX_TEXT
        )
    if spec.name == "country":
        if len(value) != 2 or not value.isalpha() or not value.isascii():
            raise Problem(
                "rule_country_invalid", _("must be a two-letter country code such as “PT”")
            )
        return value.upper()
    return value.strip()


def _not_an_id(name: str) -> Problem:
    if name == "owner":
        return Problem("rule_reference_invalid", _("must be the id of a user"), field=name)
    return Problem("rule_reference_invalid", _("must be the id of a team"), field=name)


def _unknown_id(name: str) -> Problem:
    if name == "owner":
        return Problem("rule_reference_unknown", _("is not the id of a user"), field=name)
    return Problem("rule_reference_unknown", _("is not the id of a team"), field=name)


def _number(spec: FieldSpec, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise Problem("rule_number_invalid", _("must be a number"))
    if spec.integer and not _is_int(value):
        raise Problem("rule_number_not_whole", _("must be a whole number"))
    if abs(value) >= 1e15:
        raise Problem("rule_number_too_large", _("is too large"))
    if spec.minimum is not None and value < spec.minimum:
        raise Problem(
            "rule_number_below_minimum", _("must be at least %(n)s"), n=_plain(spec.minimum)
        )
    if spec.maximum is not None and value > spec.maximum:
        raise Problem(
            "rule_number_above_maximum", _("must be at most %(n)s"), n=_plain(spec.maximum)
        )
    return value


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _check_references(walk: _Walk) -> None:
    """Owners and teams named by id must exist, so a typo is not a silently empty segment."""
    wanted: dict[str, set[int]] = {"owner": set(), "team": set()}
    for _path, name, ids, _sent in walk.references:
        wanted[name].update(ids)
    found = {
        "owner": set(User.objects.filter(pk__in=wanted["owner"]).values_list("pk", flat=True)),
        "team": set(Team.objects.filter(pk__in=wanted["team"]).values_list("pk", flat=True)),
    }
    for path, name, ids, sent in walk.references:
        if not set(ids) <= found[name]:
            walk.errors.append(_unknown_id(name).at(path, _shown(sent)))


def conditions_of(tree: dict[str, Any]) -> list[dict[str, Any]]:
    """Every condition of a checked tree, depth first."""
    (children,) = tree.values()
    found: list[dict[str, Any]] = []
    for child in children:
        found.extend(conditions_of(child) if "field" not in child else [child])
    return found
