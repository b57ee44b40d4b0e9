"""Messages on the party's timeline (what was sent, when), and gone with an erasure."""

from __future__ import annotations

from datetime import datetime

from clientela.core.timeline import Entry, register_source, source_rows
from clientela.messaging.models import Message, MessageState
from clientela.messaging.services.outbox import cancel_queued
from clientela.parties.models import Party

MESSAGE = "message"
# A message is on the timeline once it left: sent, and what came back about it.
LEFT = (
    MessageState.SENT,
    MessageState.DELIVERED,
    MessageState.BOUNCED,
    MessageState.COMPLAINED,
)
PREVIEW = 2000  # characters of the text shown on the timeline


def _message_entries(
    party: Party, before: tuple[datetime, str, int] | None, limit: int, channels: frozenset[str]
) -> list[Entry]:
    rows = source_rows(
        MESSAGE,
        lambda party_id: Message.objects.filter(party_id=party_id, state__in=LEFT),
        party=party,
        before=before,
        limit=limit,
        channels=channels,
        at="sent_at",
        fields=(
            "id",
            "sent_at",
            "channel",
            "state",
            "purpose",
            "subject",
            "body_text",
            "address",
            "source_kind",
            "created_by__full_name",
            "created_by__email",
        ),
    )
    return [
        Entry(
            kind=MESSAGE,
            id=pk,
            at=at,
            title=subject,
            channel=channel,
            direction="out",
            body=text[:PREVIEW],
            actor=actor_name or actor_email or "",
            data={
                "status": state,
                "purpose": purpose,
                "address": address,
                "source": source_kind,
            },
        )
        for (
            pk,
            at,
            channel,
            state,
            purpose,
            subject,
            text,
            address,
            source_kind,
            actor_name,
            actor_email,
        ) in rows
    ]


register_source(MESSAGE, _message_entries)

# The free-text columns of the outbox an erasure blanks.
ERASED_COLUMNS = (
    "messaging_message.address",
    "messaging_message.subject",
    "messaging_message.body_html",
    "messaging_message.body_text",
    "messaging_message.provider_id",
)


def erase_messages(party: Party) -> None:
    """Stop what still waits for the person and blank what was sent to them (erasure).

    The rows stay, without their text and address, so campaign counts stay right.
    """
    cancel_queued(party, reason="erased")
    Message.objects.filter(party=party).update(
        address="", subject="", body_html="", body_text="", provider_id=""
    )
