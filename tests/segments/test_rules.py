"""Bad rules are refused with the place in the tree and the value; limits are enforced early."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.utils import translation

from clientela.core.errors import Invalid
from clientela.parties.models import CustomField
from clientela.segments.services.compiler import month_day_ranges
from clientela.segments.services.fields import field_catalog
from clientela.segments.services.rules import MAX_CONDITIONS, validate_rules

pytestmark = pytest.mark.django_db


def refused(rules: Any) -> dict[str, Any]:
    """The errors of rules that must be refused, by path: {path: (value, message)}."""
    with pytest.raises(Invalid) as caught:
        validate_rules(rules, field_catalog())
    return {e.field: (e.value, e.text()) for e in caught.value.errors}


def test_an_unknown_field_is_refused_with_its_path_and_name() -> None:
    unknown = {"field": "password", "op": "eq", "value": "x"}
    errors = refused({"all": [{"field": "tier", "op": "eq", "value": "gold"}, {"any": [unknown]}]})
    assert errors == {"rules.all.1.any.0.field": ("password", "is not a field segments can use")}


def test_an_operator_that_does_not_fit_the_field_type_is_refused() -> None:
    errors = refused({"all": [{"field": "lifecycle_state", "op": "gt", "value": "new"}]})
    value, message = errors["rules.all.0.op"]
    assert value == "gt"
    assert "eq, ne, in, not_in, is_empty, is_not_empty" in message


def test_a_value_of_the_wrong_type_is_refused_with_the_value() -> None:
    errors = refused({"all": [
        {"field": "clv", "op": "gte", "value": "500"},
        {"field": "r_score", "op": "eq", "value": 6},
        {"field": "r_score", "op": "eq", "value": 2.5},
        {"field": "has_email", "op": "eq", "value": "yes"},
        {"field": "last_purchase_at", "op": "gt", "value": "2024-13-01"},
        {"field": "lifecycle_state", "op": "eq", "value": "sleepy"},
        {"field": "clv", "op": "between", "value": [500, 100]},
        {"field": "tag", "op": "in", "value": []},
        {"field": "key_date.birthday", "op": "within_days", "value": 400},
        {"field": "country", "op": "eq", "value": "Portugal"},
        {"field": "tier", "op": "is_empty", "value": "gold"},
    ]})  # fmt: skip
    assert errors["rules.all.0.value"] == ("500", "must be a number")
    assert errors["rules.all.1.value"] == (6, "must be at most 5")
    assert errors["rules.all.2.value"] == (2.5, "must be a whole number")
    assert errors["rules.all.3.value"] == ("yes", "must be true or false")
    assert errors["rules.all.4.value"] == ("2024-13-01", "must be a date as YYYY-MM-DD")
    assert errors["rules.all.5.value"][0] == "sleepy"
    assert errors["rules.all.5.value"][1].startswith("must be one of: potential, new, active")
    assert errors["rules.all.6.value"][0] == "[500,100]"
    assert errors["rules.all.7.value"][1] == "must be a list of 1 to 500 values"
    assert errors["rules.all.8.value"] == (400, "must be a whole number of days from 0 to 366")
    assert errors["rules.all.9.value"][0] == "Portugal"
    assert errors["rules.all.10.value"][1] == "must be left out: this operator takes no value"


def test_the_root_must_be_a_group() -> None:
    assert "rules" in refused([{"field": "tier", "op": "eq", "value": "gold"}])
    assert "rules" in refused({"all": [], "any": []})
    assert "rules.all" in refused({"all": "tier"})


def test_a_condition_may_only_have_field_op_and_value() -> None:
    errors = refused({"all": [{"field": "tier", "op": "eq", "value": "gold", "sql": "1=1"}]})
    assert errors == {"rules.all.0.sql": ("1=1", "is not a part of a condition")}


def test_groups_nested_too_deep_are_refused_without_reading_further() -> None:
    rules: dict[str, Any] = {"all": [{"field": "tier", "op": "eq", "value": "gold"}]}
    for _level in range(900):  # far deeper than allowed; the walk stops at level 6
        rules = {"any": [rules]}
    errors = refused(rules)
    assert list(errors) == ["rules" + ".any.0" * 5]
    assert errors["rules" + ".any.0" * 5][1] == "groups nest more than 5 levels deep"


def test_five_levels_of_groups_are_accepted() -> None:
    rules: dict[str, Any] = {"all": [{"field": "tier", "op": "eq", "value": "gold"}]}
    for _level in range(4):
        rules = {"any": [rules]}
    assert validate_rules(rules, field_catalog()) == rules


def test_more_than_a_hundred_conditions_are_refused() -> None:
    condition = {"field": "clv", "op": "gt", "value": 1}
    errors = refused({"all": [condition] * (MAX_CONDITIONS + 1)})
    assert errors == {"rules": (None, "has more than 100 conditions")}
    validate_rules({"all": [condition] * MAX_CONDITIONS}, field_catalog())


def test_an_owner_or_team_that_does_not_exist_is_refused() -> None:
    errors = refused({"all": [{"field": "owner", "op": "in", "value": [987654]},
                              {"field": "team", "op": "eq", "value": 987654}]})  # fmt: skip
    assert errors["rules.all.0.value"] == ("[987654]", "is not the id of a user")
    assert errors["rules.all.1.value"] == (987654, "is not the id of a team")


def test_custom_fields_take_values_of_their_type() -> None:
    CustomField.objects.create(key="shoe_size", label="Shoe size", type="number")
    CustomField.objects.create(key="plan", label="Plan", type="choice", choices=["basic", "pro"])
    errors = refused({"all": [{"field": "custom.shoe_size", "op": "gt", "value": "big"},
                              {"field": "custom.plan", "op": "eq", "value": "gold"},
                              {"field": "custom.unknown", "op": "eq", "value": 1}]})  # fmt: skip
    assert errors["rules.all.0.value"] == ("big", "must be a number")
    assert errors["rules.all.1.value"] == ("gold", "must be one of: basic, pro")
    assert errors["rules.all.2.field"] == ("custom.unknown", "is not a field segments can use")


def test_values_are_kept_in_their_canonical_form() -> None:
    tree = validate_rules(
        {"any": [{"field": "country", "op": "in", "value": ["pt", "Es"]},
                 {"field": "last_purchase_at", "op": "gte", "value": "20240105"},
                 {"field": "tier", "op": "is_not_empty", "value": None}]},
        field_catalog(),
    )  # fmt: skip
    assert tree == {"any": [{"field": "country", "op": "in", "value": ["PT", "ES"]},
                            {"field": "last_purchase_at", "op": "gte", "value": "2024-01-05"},
                            {"field": "tier", "op": "is_not_empty"}]}  # fmt: skip


def test_a_key_date_window_is_split_at_the_year_end() -> None:
    assert month_day_ranges(date(2024, 12, 25), 14) == [(12, 25, 31), (1, 1, 8)]
    assert month_day_ranges(date(2023, 2, 27), 2) == [(2, 27, 29), (3, 1, 1)]


def test_each_problem_has_a_code_and_the_values_its_message_names() -> None:
    with pytest.raises(Invalid) as caught:
        validate_rules(
            {"all": [{"field": "password", "op": "eq", "value": "x"},
                     {"field": "r_score", "op": "eq", "value": 6},
                     {"field": "tag", "op": "in", "value": []},
                     {"field": "owner", "op": "eq", "value": "me"}]},
            field_catalog(),
        )  # fmt: skip
    found = {e.field: (e.code, dict(e.params)) for e in caught.value.errors}
    assert found == {
        "rules.all.0.field": ("rule_field_unknown", {"field": "password"}),
        "rules.all.1.value": ("rule_number_above_maximum", {"n": "5"}),
        "rules.all.2.value": ("rule_list_invalid", {"n": 500}),
        "rules.all.3.value": ("rule_reference_invalid", {"field": "owner"}),
    }
    assert caught.value.code == "rules_invalid"


def test_an_owner_who_does_not_exist_is_refused_by_id() -> None:
    errors = refused({"all": [{"field": "owner", "op": "in", "value": [424242]}]})
    assert errors["rules.all.0.value"] == ("[424242]", "is not the id of a user")


def test_a_rule_problem_is_rendered_in_the_readers_language() -> None:
    with translation.override("en"), pytest.raises(Invalid) as caught:
        validate_rules({"all": [{"field": "password", "op": "eq", "value": 1}]}, field_catalog())
    (error,) = caught.value.errors
    assert error.text() == "is not a field segments can use"
    with translation.override("pt"):
        assert error.text() not in ("", "is not a field segments can use")
