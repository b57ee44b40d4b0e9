"""Delivery receipts: the gateway says a sent SMS was delivered or failed.

A receipt finds its message by our reference (the message's token, sent in the payload) or by
the provider's id. Only a final receipt (delivered, failed) moves it: from sent, or from what
an older receipt said. A receipt dated no later than the one already applied changes nothing,
so duplicates and receipts that arrive out of order are applied at most once, in date order.
A receipt for a message still being sent is answered 503: the gateway tries again after the
worker has recorded the send.
"""

from __future__ import annotations

import re

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.core.errors import NotFound, Unavailable
from clientela.messaging.models import Channel, Message, MessageState
from clientela.messaging.schemas import FINAL_STATUSES, ReceiptIn

EARLY_RETRY_SECONDS = 30
# States a receipt's verdict may replace: sent, or the verdict of an older receipt.
_RECEIPT_STATES = (MessageState.DELIVERED, MessageState.FAILED)


def _message_of(receipt: ReceiptIn) -> Message:
    messages = Message.objects.filter(channel=Channel.SMS)
    found = None
    if receipt.reference:
        found = messages.filter(token=receipt.reference).first()
    if found is None and receipt.provider_id:
        found = messages.filter(provider_id=receipt.provider_id).order_by("-id").first()
    if found is None:
        raise NotFound(
            _("no SMS has the reference %(reference)s or the provider id %(provider_id)s"),
            code="sms_message_unknown",
            params={"reference": receipt.reference, "provider_id": receipt.provider_id},
        )
    return found


def failure_reason(error: str) -> str:
    """The stored reason of a failed delivery: the gateway's error as a code."""
    code = re.sub(r"[^a-z0-9]+", "_", error.lower()).strip("_")
    return f"receipt_{code}"[:40] if code else "receipt_failed"


def apply_receipt(receipt: ReceiptIn) -> tuple[str, int]:
    """Move the message as the receipt says: ("applied", 1), ("unchanged", 0) for a
    duplicate or older receipt, ("ignored", 0) for one that is not final."""
    message = _message_of(receipt)
    if receipt.status not in FINAL_STATUSES:
        return "ignored", 0
    if message.state in (MessageState.QUEUED, MessageState.LEASED):
        raise Unavailable(
            _("message %(reference)s is still being sent; send the receipt again later"),
            code="sms_receipt_early",
            params={"reference": message.token},
            retry_after=EARLY_RETRY_SECONDS,
        )
    at = receipt.at or timezone.now()
    delivered = receipt.status == "delivered"
    moved = (
        Message.objects.filter(pk=message.pk)
        .filter(
            Q(state=MessageState.SENT)
            | Q(state__in=_RECEIPT_STATES, receipt_at__isnull=False, receipt_at__lt=at)
        )
        .update(
            state=MessageState.DELIVERED if delivered else MessageState.FAILED,
            reason="" if delivered else failure_reason(receipt.error),
            receipt_at=at,
        )
    )
    return ("applied", moved) if moved else ("unchanged", 0)
