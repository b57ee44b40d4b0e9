"""Custom-field definitions: admins create, change and delete them, with a label in each
language. Values already stored on parties stay as they are when a definition changes or goes
(a field that comes back shows them again)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Right, User
from clientela.accounts.services import record_audit, require_right
from clientela.core.errors import FieldError, Invalid, NotFound
from clientela.parties.models import CustomField, CustomFieldType, PartyKind

KEY = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
LABEL_LENGTH = 100
MAX_CHOICES = 100


def find_custom_field(field_id: int) -> CustomField:
    found = CustomField.objects.filter(pk=field_id).first()
    if found is None:
        raise NotFound(
            _("no custom field with id %(id)s"),
            code="custom_field_not_found",
            params={"id": field_id},
        )
    return found


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _check(field: CustomField, labels: Mapping[str, str], errors: list[FieldError]) -> None:
    if not KEY.match(field.key):
        errors.append(
            FieldError(
                "key",
                field.key,
                _("must start with a letter and hold only a-z, 0-9 and _ (at most 50)"),
                code="custom_field_key_invalid",
            )
        )
    elif CustomField.objects.filter(key=field.key).exclude(pk=field.pk).exists():
        errors.append(
            FieldError(
                "key", field.key, _("is the key of another field"), code="custom_field_key_taken"
            )
        )
    for name, text in {
        "label": field.label,
        **{f"label_{c}": t for c, t in labels.items()},
    }.items():
        if name == "label" and not text:
            errors.append(
                FieldError("label", text, _("is required"), code="custom_field_label_required")
            )
        if len(text) > LABEL_LENGTH:
            errors.append(
                FieldError(
                    name,
                    text,
                    _("must be at most %(max)s characters"),
                    code="custom_field_label_too_long",
                    params={"max": LABEL_LENGTH},
                )
            )
    if field.type not in CustomFieldType.values:
        errors.append(
            FieldError(
                "type",
                field.type,
                _("must be one of: %(values)s"),
                code="custom_field_type_invalid",
                params={"values": ", ".join(CustomFieldType.values)},
            )
        )
    if field.applies_to and field.applies_to not in PartyKind.values:
        errors.append(
            FieldError(
                "applies_to",
                field.applies_to,
                _("must be empty or one of: %(values)s"),
                code="custom_field_applies_to_invalid",
                params={"values": ", ".join(PartyKind.values)},
            )
        )
    if field.type == CustomFieldType.CHOICE and not field.choices:
        errors.append(
            FieldError(
                "choices",
                "",
                _("a choice field needs at least one choice"),
                code="custom_field_choices_required",
            )
        )
    if len(field.choices) > MAX_CHOICES or any(len(c) > LABEL_LENGTH for c in field.choices):
        errors.append(
            FieldError(
                "choices",
                len(field.choices),
                _("at most %(max)s choices of at most %(length)s characters each"),
                code="custom_field_choices_too_many",
                params={"max": MAX_CHOICES, "length": LABEL_LENGTH},
            )
        )


def _fill(field: CustomField, values: Mapping[str, Any]) -> dict[str, str]:
    """Set the definition's attributes from `values`; returns the labels by language."""
    values = {name: value for name, value in values.items() if value is not None}
    if "key" in values:
        field.key = str(values["key"]).strip().lower()
    if "label" in values:
        field.label = " ".join(str(values["label"]).split())
    labels = dict(field.labels or {})
    for code, text in dict(values.get("labels") or {}).items():
        if code in _languages():
            labels[code] = " ".join(str(text).split())
    field.labels = {code: text for code, text in labels.items() if text}
    for name in ("type", "applies_to"):
        if name in values:
            setattr(field, name, str(values[name] or "").strip())
    if "required" in values:
        field.required = bool(values["required"])
    if "position" in values:
        field.position = max(0, min(int(values["position"] or 0), 32767))
    if "choices" in values:
        choices: Sequence[Any] = values["choices"] or []
        field.choices = list(dict.fromkeys(str(c).strip() for c in choices if str(c).strip()))
    if field.type != CustomFieldType.CHOICE:
        field.choices = []
    return {code: text for code, text in labels.items() if code in _languages()}


def _snapshot(field: CustomField) -> dict[str, Any]:
    names = ("key", "label", "labels", "type", "choices", "applies_to", "required", "position")
    return {name: getattr(field, name) for name in names}


def define_custom_field(values: Mapping[str, Any], *, by: User) -> CustomField:
    """A new custom field (admins only): key, label, labels by language, type, choices,
    applies_to, required, position. Invalid names every wrong input; audited."""
    require_right(by, Right.ADMINISTER)
    field = CustomField(type=CustomFieldType.TEXT)
    errors: list[FieldError] = []
    labels = _fill(field, values)
    _check(field, labels, errors)
    if errors:
        raise Invalid(errors)
    field.save()
    record_audit(
        by,
        "custom_field.created",
        target_kind="custom_field",
        target_id=field.pk,
        details={"key": field.key, "label": field.label},
    )
    return field


def change_custom_field(field: CustomField, values: Mapping[str, Any], *, by: User) -> CustomField:
    """Change a definition (only the values given); audited with the before and after."""
    require_right(by, Right.ADMINISTER)
    before = _snapshot(field)
    errors: list[FieldError] = []
    labels = _fill(field, values)
    _check(field, labels, errors)
    if errors:
        raise Invalid(errors)
    after = _snapshot(field)
    changed = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if changed:
        field.save()
        record_audit(
            by,
            "custom_field.changed",
            target_kind="custom_field",
            target_id=field.pk,
            details={"key": field.key, "label": field.label, "changed": changed},
        )
    return field


def delete_custom_field(field: CustomField, *, by: User) -> None:
    """Delete a definition (admins only); the values on parties are kept. Audited."""
    require_right(by, Right.ADMINISTER)
    record_audit(
        by,
        "custom_field.deleted",
        target_kind="custom_field",
        target_id=field.pk,
        details={"key": field.key, "label": field.label},
    )
    field.delete()
