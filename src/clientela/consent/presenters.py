"""Plain-dict views of consent data shared by the API and the pages (no queries of their own)."""

from __future__ import annotations

from typing import Any

from clientela.consent.models import ConsentRecord, Preferences, PrivacyRequest
from clientela.consent.services.gate import Decision
from clientela.consent.services.preferences import party_zone


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
