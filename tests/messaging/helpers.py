"""Messages in the outbox as the sender leaves them, for the bounce tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from clientela.messaging.models import Channel, Message, MessageState, SourceKind
from clientela.parties.models import Party


def sent_message(party: Party, token: str, **fields: Any) -> Message:
    """An e-mail the outbox sent to the party's first address."""
    address = party.contact_points.filter(kind="email").values_list("normalized", flat=True)
    fields.setdefault("purpose", "marketing")
    fields.setdefault("state", MessageState.SENT)
    fields.setdefault("channel", Channel.EMAIL)
    return Message.objects.create(
        party=party,
        source_kind=SourceKind.STAFF,
        token=token,
        address=next(iter(address), ""),
        sent_at=timezone.now() - timedelta(hours=1),
        **fields,
    )
