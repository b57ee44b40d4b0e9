"""What an erasure does to a person's messages: the rows stay as the record that a message was
sent (channel, purpose, state, times), their words and address are blanked, and nothing still
waiting in the outbox is sent."""

from __future__ import annotations

from clientela.core.registries import blank_text
from clientela.messaging.models import Message, MessageState
from clientela.parties.models import Party

# Codes, ids and a random token: nothing in them names the person.
KEPT = {"token", "reason", "language", "leased_by", "provider_id"}
WAITING = (MessageState.QUEUED, MessageState.LEASED)


def erased_columns() -> tuple[str, ...]:
    """The outbox's columns that can hold the person's words or address."""
    blanked = blank_text(Message, keep=KEPT)
    table = Message._meta.db_table
    return tuple(
        f"{table}.{field.column}"
        for field in Message._meta.concrete_fields
        if field.name in blanked
    )


def erase_messages(party: Party) -> None:
    """Cancel the person's waiting messages and blank the words and address of all of them."""
    Message.objects.filter(party=party, state__in=WAITING).update(
        state=MessageState.CANCELLED, reason="erased", leased_until=None, leased_by=""
    )
    Message.objects.filter(party=party).update(**blank_text(Message, keep=KEPT))
