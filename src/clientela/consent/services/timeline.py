"""Consent changes on the party's timeline."""

from __future__ import annotations

from datetime import datetime

from clientela.consent.models import ConsentRecord
from clientela.core.timeline import Entry, register_source, source_rows
from clientela.parties.models import Party

CONSENT = "consent"


def _consent_entries(
    party: Party, before: tuple[datetime, str, int] | None, limit: int, channels: frozenset[str]
) -> list[Entry]:
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
        name: dict(ConsentRecord._meta.get_field(name).flatchoices)  # type: ignore[union-attr]
        for name in ("purpose", "channel", "status", "source")
    }
    return [
        Entry(
            kind=CONSENT,
            id=pk,
            at=at,
            title=(
                f"{label['purpose'].get(purpose, purpose)} · "
                f"{label['channel'].get(channel, channel)}: {label['status'].get(status, status)}"
            ),
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


register_source(CONSENT, _consent_entries)
