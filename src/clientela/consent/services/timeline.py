"""Consent changes on the party's timeline."""

from __future__ import annotations

from datetime import datetime

from clientela.consent.models import ConsentRecord
from clientela.interactions.timeline import Entry, before_filter, register_source
from clientela.parties.models import Party

CONSENT = "consent"


def _consent_entries(
    party: Party, before: tuple[datetime, str, int] | None, limit: int, channels: frozenset[str]
) -> list[Entry]:
    rows = ConsentRecord.objects.filter(party=party).filter(
        before_filter(CONSENT, before, at="recorded_at")
    )
    if channels:
        rows = rows.filter(channel__in=channels)
    rows = rows.select_related("wording", "actor").order_by("-recorded_at", "-id")[:limit]
    return [
        Entry(
            kind=CONSENT,
            id=r.pk,
            at=r.recorded_at,
            title=(
                f"{r.get_purpose_display()} · {r.get_channel_display()}: {r.get_status_display()}"
            ),
            channel=r.channel,
            body=str(r.get_source_display()),
            actor=str(r.actor) if r.actor else "",
            data={
                "purpose": r.purpose,
                "status": r.status,
                "legal_basis": r.legal_basis,
                "source": r.source,
                "wording_sha256": r.wording.sha256 if r.wording else "",
            },
        )
        for r in rows
    ]


register_source(CONSENT, _consent_entries)
