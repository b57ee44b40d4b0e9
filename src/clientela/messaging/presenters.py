"""Messages as the customer page and the API show them."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.consent.models import Purpose
from clientela.consent.services import REASONS
from clientela.core.registries import TimelineLabels
from clientela.core.requests import current_user
from clientela.messaging.models import Channel, Message, MessageState, Template
from clientela.messaging.services import VARIABLES, Preview
from clientela.parties.models import Party

MESSAGE_LABELS = TimelineLabels(
    kind=_("Message"), channels=dict(Channel.choices), statuses=dict(MessageState.choices)
)
PANEL_SIZE = 20
# What a sender's error class means (the gate's reasons are consent.services.REASONS).
ERROR_CLASSES = {
    "deferred": _("The server asked to try again later."),
    "mailbox_full": _("The recipient's mailbox is full."),
    "rejected": _("The server refused the recipient."),
    "auth": _("The mail server refused our credentials."),
    "connection": _("The mail server could not be reached."),
    "timeout": _("The mail server did not answer in time."),
    "deadline": _("Its deadline passed before it could be sent."),
}
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


def reason_label(reason: str) -> str:
    """Why a message ended as it did, in the reader's language (the code if unknown)."""
    label = REASONS.get(reason) or ERROR_CLASSES.get(reason)
    return str(label) if label is not None else reason


def party_messages(party: Party, *, limit: int = PANEL_SIZE) -> list[dict[str, Any]]:
    """The party's newest messages, each with its reason in words."""
    rows = Message.objects.filter(party=party).select_related("created_by")[:limit]
    return [{"message": m, "reason": reason_label(m.reason) if m.reason else ""} for m in rows]


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


VARIANT_REASONS = {
    "exact": _("the customer's language"),
    "language": _("the same language, another region"),
    "default": _("the template's default language"),
}


def template_out(template: Template) -> dict[str, Any]:
    """The template with its variants; needs the variants prefetched."""
    variants = list(template.variants.all())
    return {
        "id": template.pk,
        "name": template.name,
        "channel": template.channel,
        "purpose": template.purpose,
        "default_language": template.default_language,
        "languages": [v.language for v in variants],
        "variants": [
            {
                "language": v.language,
                "subject": v.subject,
                "body": v.body,
                "text_body": v.text_body,
                "updated_at": v.updated_at,
            }
            for v in variants
        ],
        "created_at": template.created_at,
        "updated_at": template.updated_at,
        "archived_at": template.archived_at,
    }


def preview_out(preview: Preview) -> dict[str, Any]:
    rendered = preview.rendered
    return {
        "party_id": preview.party_id,
        "party_name": preview.party_name,
        "language": rendered.language if rendered else "",
        "reason": rendered.reason if rendered else "",
        "subject": rendered.subject if rendered else "",
        "html": rendered.html if rendered else "",
        "text": rendered.text if rendered else "",
        "problem": preview.problem,
    }


def reason_text(reason: str) -> str:
    return str(VARIANT_REASONS.get(reason, reason))


def variables_out() -> list[dict[str, str]]:
    return [{"path": v.path, "label": str(v.label), "example": v.example} for v in VARIABLES]
