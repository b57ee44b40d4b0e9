"""Contacts a party starts on an automatic channel (an SMS to the company's number): logged
on the timeline without a staff member, once per external id."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from clientela.interactions.models import Channel, Direction, Interaction
from clientela.parties.models import Party


def log_inbound(
    party: Party,
    *,
    channel: str,
    notes: str,
    external_id: str = "",
    occurred_at: datetime | None = None,
) -> tuple[Interaction, bool]:
    """Log what the party sent, with no staff member; an external id seen before changes
    nothing. Returns the interaction and whether it was created now.

    For callers that checked who sent it (a signed gateway callback), not for staff input:
    staff use `log_interaction`, which applies their rights."""
    if external_id:
        existing = Interaction.objects.filter(external_id=external_id[:100]).first()
        if existing is not None:
            return existing, False
    interaction = Interaction.objects.create(
        party=party,
        channel=Channel(channel),
        direction=Direction.INBOUND,
        occurred_at=occurred_at or timezone.now(),
        notes=notes[:20000],
        external_id=external_id[:100] or None,
    )
    return interaction, True
