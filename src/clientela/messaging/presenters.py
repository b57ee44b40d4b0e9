"""Messages as the customer page and the API show them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.consent.models import Purpose
from clientela.core.registries import TimelineLabels
from clientela.core.requests import current_user
from clientela.messaging.models import Channel, Message, MessageState
from clientela.parties.models import Party

MESSAGE_LABELS = TimelineLabels(
    kind=_("Message"), channels=dict(Channel.choices), statuses=dict(MessageState.choices)
)
PANEL_SIZE = 20
# The purposes staff may choose for a personal e-mail.
STAFF_PURPOSES = (Purpose.TRANSACTIONAL, Purpose.MARKETING)


def message_out(message: Message) -> dict[str, Any]:
    """MessageOut as a dict."""
    return {
        "id": message.pk,
        "party_id": message.party_id,
        "channel": message.channel,
        "purpose": message.purpose,
        "source_kind": message.source_kind,
        "source_id": message.source_id,
        "state": message.state,
        "reason": message.reason,
        "subject": message.subject,
        "body_text": message.body_text,
        "address": message.address,
        "attempts": message.attempts,
        "queued_at": message.queued_at,
        "not_before": message.not_before,
        "not_after": message.not_after,
        "sent_at": message.sent_at,
        "created_by": message.created_by.email if message.created_by else None,
    }


def party_messages(party: Party, *, limit: int = PANEL_SIZE) -> list[Message]:
    return list(Message.objects.filter(party=party).select_related("created_by")[:limit])


def compose_context(
    user: User,
    party: Party,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    preview: dict[str, Any] | None = None,
    queued: bool = False,
) -> dict[str, Any]:
    """The "Messages" section's own context: the party's messages and the e-mail form."""
    return {
        "party": party,
        "message_rows": party_messages(party),
        "compose": values or {"purpose": Purpose.TRANSACTIONAL},
        "compose_errors": errors or {},
        "compose_preview": preview,
        "compose_open": bool(values),
        "message_queued": queued,
        "purposes": [(p, Purpose(p).label) for p in STAFF_PURPOSES],
        "may_compose": user.can_write,
    }


def party_panel(request: HttpRequest, party: Party) -> dict[str, Any]:
    """The customer page's "Messages" section."""
    return compose_context(current_user(request), party)
