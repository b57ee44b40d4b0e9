"""Values of the admin-defined custom fields: checked against their definitions, stored as JSON."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.core.errors import FieldError, Problem
from clientela.parties.models import CustomField, CustomFieldType

MAX_CUSTOM_NUMBER = Decimal("1e15")
MAX_CUSTOM_TEXT = 1000
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0"}


def validate_custom(
    kind: str,
    values: dict[str, Any],
    *,
    current: dict[str, Any],
    fields: dict[str, CustomField] | None = None,
) -> dict[str, Any] | list[FieldError]:
    """Check values against the admin's field definitions (`fields`, read here when not
    given); returns the merged values or errors."""
    if fields is None:
        fields = {f.key: f for f in CustomField.objects.all()}
    merged = dict(current)
    errors: list[FieldError] = []
    for key, value in values.items():
        field = fields.get(key)
        if field is None or (field.applies_to and field.applies_to != kind):
            errors.append(
                FieldError(
                    f"custom.{key}",
                    value,
                    _("is not a custom field"),
                    code="custom_field_unknown",
                    params={"key": key},
                )
            )
            continue
        if value is None or value == "":
            merged.pop(key, None)
            continue
        try:
            merged[key] = coerce_custom(field, value)
        except Problem as problem:
            errors.append(problem.at(f"custom.{key}", value))
    for key, field in fields.items():
        if (
            field.required
            and (not field.applies_to or field.applies_to == kind)
            and key not in merged
        ):
            errors.append(
                FieldError(
                    f"custom.{key}",
                    None,
                    _("is required"),
                    code="custom_field_required",
                    params={"key": key},
                )
            )
    return errors or merged


def coerce_custom(field: CustomField, value: Any) -> Any:
    """The value in the field's type (stored as JSON), or Problem (a ValueError) saying why."""
    if field.type == CustomFieldType.TEXT:
        if not isinstance(value, str) or len(value) > MAX_CUSTOM_TEXT:
            raise Problem(
                "custom_text_invalid",
                _("must be text of at most %(n)d characters"),
                n=MAX_CUSTOM_TEXT,
            )
        return value
    if field.type == CustomFieldType.NUMBER:
        return _number(value)
    if field.type == CustomFieldType.DATE:
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError as exc:
            raise Problem("custom_date_invalid", _("must be a date as YYYY-MM-DD")) from exc
    if field.type == CustomFieldType.CHOICE:
        if value not in field.choices:
            raise Problem(
                "custom_choice_invalid",
                _("must be one of: %(values)s"),
                values=", ".join(map(str, field.choices)),
            )
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
        return value.lower() in _TRUE
    raise Problem("custom_boolean_invalid", _("must be yes or no"))


def _number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise Problem("custom_number_invalid", _("must be a number"))
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise Problem("custom_number_invalid", _("must be a number")) from exc
    if not number.is_finite():
        raise Problem("custom_number_not_finite", _("must be a finite number"))
    if number.copy_abs() >= MAX_CUSTOM_NUMBER:  # abs() of 1e999999999999999999 overflows
        raise Problem("custom_number_too_large", _("is too large"), limit=str(MAX_CUSTOM_NUMBER))
    return int(number) if number == number.to_integral_value() else float(number)
