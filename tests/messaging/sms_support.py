"""Rows and signed calls the SMS tests share."""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from typing import Any

from django.test import Client
from django.utils import timezone

from clientela.consent.models import Purpose
from clientela.messaging.models import Channel, Message, MessageState, SourceKind
from clientela.messaging.services.callbacks import signed_headers
from clientela.parties.models import Party

SECRET = "whsec_c2VjcmV0LW9mLXRoZS1nYXRld2F5LWZvci10ZXN0cw=="
KEY = b"secret-of-the-gateway-for-tests"
_seq = itertools.count(1)


def make_sms(party: Party, **fields: Any) -> Message:
    """An SMS in the outbox, sent by default, with a provider id."""
    n = next(_seq)
    fields.setdefault("state", MessageState.SENT)
    fields.setdefault("provider_id", f"gw-{n}")
    fields.setdefault("body_text", "Hello from the shop")
    fields.setdefault("channel", Channel.SMS)
    return Message.objects.create(
        party=party,
        purpose=Purpose.MARKETING,
        source_kind=SourceKind.STAFF,
        token=f"tok{n:029d}",
        **fields,
    )


def post_signed(
    client: Client,
    path: str,
    payload: dict[str, Any] | bytes,
    *,
    webhook_id: str | None = None,
    at: datetime | None = None,
    key: bytes = KEY,
    address: str = "192.0.2.10",
) -> Any:
    """POST a callback signed as the gateway signs it."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = signed_headers(key, webhook_id or f"msg_{next(_seq)}", body, at or timezone.now())
    return client.post(
        path,
        body,
        content_type="application/json",
        headers=headers,
        REMOTE_ADDR=address,
    )
