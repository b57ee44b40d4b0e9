"""Consent data as the API, the pages and the timeline show it: plain dicts, the preference
centre's grid, the sign-up wording, and consent changes as timeline entries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from clientela.consent.forms import checkbox_name
from clientela.consent.models import (
    CONTACT_CHANNELS,
    CONTACT_PURPOSES,
    ConsentChannel,
    ConsentRecord,
    Preferences,
    PrivacyRequest,
    Purpose,
)
from clientela.consent.services import get_preferences
from clientela.consent.services.centre import Pair, consent_states
from clientela.consent.services.gate import Decision
from clientela.consent.services.preferences import party_zone
from clientela.core.timeline import Entry, source_rows
from clientela.parties.models import Party

CONSENT = "consent"
SIGNUP_WORDING_VERSION = "signup-form-1"


def record_out(record: ConsentRecord) -> dict[str, Any]:
    """Needs wording and actor selected."""
    wording = record.wording
    return {
        "id": record.pk,
        "purpose": record.purpose,
        "channel": record.channel,
        "status": record.status,
        "legal_basis": record.legal_basis,
        "source": record.source,
        "wording": (
            {
                "sha256": wording.sha256,
                "version": wording.version,
                "language": wording.language,
                "text": wording.text,
            }
            if wording
            else None
        ),
        "actor": str(record.actor) if record.actor else None,
        "recorded_at": record.recorded_at,
        "ip_address": record.ip_address,
        "user_agent": record.user_agent,
        "note": record.note,
    }


def state_out(record: ConsentRecord) -> dict[str, Any]:
    return {
        "purpose": record.purpose,
        "channel": record.channel,
        "status": record.status,
        "record_id": record.pk,
        "recorded_at": record.recorded_at,
    }


def decision_out(purpose: str, channel: str, decision: Decision) -> dict[str, Any]:
    return {
        "purpose": purpose,
        "channel": channel,
        "allowed": decision.allowed,
        "reason": decision.reason,
        "explanation": decision.explanation,
    }


def preferences_out(prefs: Preferences) -> dict[str, Any]:
    return {
        "preferred_channel": prefs.preferred_channel,
        "language": prefs.language,
        "max_per_week": prefs.max_per_week,
        "max_per_month": prefs.max_per_month,
        "quiet_start": prefs.quiet_start,
        "quiet_end": prefs.quiet_end,
        "topics": list(prefs.topics or []),
        "paused_until": prefs.paused_until,
        "time_zone": party_zone(prefs.party).key,
    }


def request_out(request: PrivacyRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "party_id": request.party_id,
        "kind": request.kind,
        "status": request.status,
        "channel": request.channel,
        "received_at": request.received_at,
        "due_at": request.due_at,
        "completed_at": request.completed_at,
        "overdue": request.is_overdue,
        "note": request.note,
    }


def signup_wording() -> str:
    """What the sign-up form says the person agrees to, in the active language; the same
    text is stored with the consent as its proof."""
    return _(
        "Yes, send me the newsletter by e-mail. I can unsubscribe at any time with the link "
        "in every message."
    )


def channel_choices() -> list[tuple[str, str]]:
    """The channels a message travels on, with their labels, in page order."""
    labels = dict(ConsentChannel.choices)
    return [(channel, str(labels[channel])) for channel in CONTACT_CHANNELS]


def consent_grid(states: dict[Pair, bool]) -> list[dict[str, Any]]:
    """The preference centre's rows: one per purpose, a tick box per channel."""
    purposes = dict(Purpose.choices)
    return [
        {
            "purpose": purpose,
            "label": purposes[purpose],
            "cells": [
                {
                    "name": checkbox_name(purpose, channel),
                    "channel": channel,
                    "label": label,
                    "on": states[(purpose, channel)],
                }
                for channel, label in channel_choices()
            ],
        }
        for purpose in CONTACT_PURPOSES
    ]


def centre_context(token: str, party: Party, **extra: Any) -> dict[str, Any]:
    """What the preference centre page shows for the party right now."""
    states = consent_states(party)
    return {
        "token": token,
        "party": party,
        "prefs": get_preferences(party),
        "grid": consent_grid(states),
        "channels": channel_choices(),
        "profiling_name": checkbox_name(Purpose.PROFILING, ConsentChannel.ANY),
        "profiling_on": states[(Purpose.PROFILING, ConsentChannel.ANY)],
        "errors": {},
        "saved": False,
        **extra,
    }


def consent_entries(
    party: Party, before: tuple[datetime, str, int] | None, limit: int, channels: frozenset[str]
) -> list[Entry]:
    """The timeline source of consent: each yes or no of the party, newest first."""
    rows = source_rows(
        CONSENT,
        lambda party_id: ConsentRecord.objects.filter(party_id=party_id),
        party=party,
        before=before,
        limit=limit,
        channels=channels,
        at="recorded_at",
        fields=(
            "id",
            "recorded_at",
            "purpose",
            "channel",
            "status",
            "source",
            "legal_basis",
            "actor__full_name",
            "actor__email",
            "wording__sha256",
        ),
    )
    label = {
        name: dict(ConsentRecord._meta.get_field(name).flatchoices)  # type: ignore[union-attr]  # concrete fields with choices
        for name in ("purpose", "channel", "status", "source")
    }
    return [
        Entry(
            kind=CONSENT,
            id=pk,
            at=at,
            title=_("%(purpose)s · %(channel)s: %(status)s")
            % {
                "purpose": label["purpose"].get(purpose, purpose),
                "channel": label["channel"].get(channel, channel),
                "status": label["status"].get(status, status),
            },
            channel=channel,
            body=str(label["source"].get(source, source)),
            actor=actor_name or actor_email or "",  # str(actor): full name, else e-mail
            data={
                "purpose": purpose,
                "status": status,
                "legal_basis": legal_basis,
                "source": source,
                "wording_sha256": sha256 or "",
            },
        )
        for (
            pk,
            at,
            purpose,
            channel,
            status,
            source,
            legal_basis,
            actor_name,
            actor_email,
            sha256,
        ) in rows
    ]
