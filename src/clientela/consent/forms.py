"""Reading the preference centre's form into the schema the API uses."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from pydantic import ValidationError

from clientela.consent.schemas import PreferencesIn
from clientela.consent.services.centre import Pair, centre_pairs
from clientela.core.errors import FieldError
from clientela.core.validation import field_errors

PREFERENCE_FIELDS = (
    "preferred_channel",
    "language",
    "max_per_week",
    "max_per_month",
    "quiet_start",
    "quiet_end",
    "paused_until",
)


def checkbox_name(purpose: str, channel: str) -> str:
    return f"consent-{purpose}-{channel}"


def wanted_consents(data: QueryDict) -> dict[Pair, bool]:
    """Every pair the page showed: ticked means yes, unticked means no."""
    return {pair: data.get(checkbox_name(*pair)) == "on" for pair in centre_pairs()}


def preferences_from(data: QueryDict) -> tuple[PreferencesIn | None, list[FieldError]]:
    """The preferences part of the form, validated by the API's schema."""
    raw: dict[str, Any] = {}
    for name in PREFERENCE_FIELDS:
        value = data.get(name, "").strip()
        raw[name] = value or None
    topics = [t.strip() for t in data.get("topics", "").split(",") if t.strip()]
    raw["topics"] = topics
    try:
        return PreferencesIn.model_validate(raw), []
    except ValidationError as exc:
        return None, field_errors(exc)
