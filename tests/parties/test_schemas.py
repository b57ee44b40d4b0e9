"""The party schemas' own rules: each refusal names its field, its code and its values."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation
from pydantic import ValidationError

from clientela.core.validation import field_errors
from clientela.parties.schemas import PartyCreate


def _errors(**fields: Any) -> dict[str, tuple[str, dict[str, Any]]]:
    with pytest.raises(ValidationError) as caught:
        PartyCreate.model_validate({"kind": "person", "given_name": "Ana", **fields})
    return {e.field: (e.code, dict(e.params)) for e in field_errors(caught.value)}


def test_a_language_and_a_time_zone_must_be_known_codes() -> None:
    assert _errors(language="portuguese", timezone="Lisbon") == {
        "language": ("language_invalid", {}),
        "timezone": ("timezone_invalid", {}),
    }


def test_a_bad_tag_is_named_in_the_params() -> None:
    assert _errors(tags=["ok", "<b>"]) == {"tags": ("tag_invalid", {"tag": "<b>"})}


def test_a_period_may_not_end_before_it_starts() -> None:
    roles = [{"role": "customer", "since": "2024-05-01", "until": "2024-01-01"}]
    assert _errors(roles=roles) == {"roles.0.until": ("period_reversed", {"since": "2024-05-01"})}


def test_a_key_date_must_be_a_real_day() -> None:
    dates = [{"kind": "birthday", "month": 2, "day": 30}]
    assert _errors(key_dates=dates) == {
        "key_dates.0.day": ("key_date_invalid", {"date": "--02-30"})
    }


def test_only_one_contact_point_of_a_kind_is_primary() -> None:
    points = [
        {"kind": "email", "value": "a@example.com", "is_primary": True},
        {"kind": "email", "value": "b@example.com", "is_primary": True},
    ]
    assert _errors(contact_points=points) == {
        "contact_points": ("primary_contact_repeated", {"kind": "email"})
    }


@pytest.mark.django_db  # a phone without its country code is read in the company's country
def test_contact_values_are_checked_with_the_normalisers_codes() -> None:
    points = [
        {"kind": "email", "value": "ana at example"},
        {"kind": "phone", "value": "call me"},
        {"kind": "phone", "value": "+351 12"},
        {"kind": "website", "value": "javascript:alert(1)"},
    ]
    codes = {field: code for field, (code, _params) in _errors(contact_points=points).items()}
    assert codes == {
        "contact_points.0.value": "email_invalid",
        "contact_points.1.value": "phone_unreadable",
        "contact_points.2.value": "phone_invalid",
        "contact_points.3.value": "url_scheme",
    }


@pytest.mark.django_db  # a phone without its country code is read in the company's country
def test_a_schema_refusal_reads_in_portuguese() -> None:
    with pytest.raises(ValidationError) as caught:
        PartyCreate.model_validate(
            {"kind": "person", "contact_points": [{"kind": "phone", "value": "call me"}]}
        )
    (error,) = field_errors(caught.value)

    with translation.override("pt"):
        assert error.text() == "não é um número de telefone"
