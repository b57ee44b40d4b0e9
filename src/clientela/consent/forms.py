"""Reading the consent pages' forms into the schemas the API uses, and where a request came
from (the proof kept with a self-service action)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, QueryDict
from pydantic import ValidationError

from clientela.consent.schemas import PreferencesIn, PrivacyRequestCreate
from clientela.consent.services.centre import Pair, centre_pairs
from clientela.consent.services.records import Proof
from clientela.core.clients import client_address
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
MAX_NOTE = 5000


def checkbox_name(purpose: str, channel: str) -> str:
    return f"consent-{purpose}-{channel}"


def proof_of(request: HttpRequest) -> Proof:
    """The IP address (as a trusted proxy forwarded it) and browser an action came from."""
    return Proof(
        ip=client_address(request) or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )


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


def privacy_request_from(data: QueryDict) -> tuple[PrivacyRequestCreate | None, list[FieldError]]:
    """The staff form that logs a request, validated by the API's schema."""
    raw = {
        "party_id": data.get("party_id", "").strip(),
        "kind": data.get("kind", ""),
        "note": data.get("note", "")[:MAX_NOTE],
    }
    try:
        return PrivacyRequestCreate.model_validate(raw), []
    except ValidationError as exc:
        return None, field_errors(exc)
