"""The signature of the SMS gateway's callbacks: the Standard Webhooks scheme.

The gateway sends three headers: `webhook-id` (unique per callback), `webhook-timestamp`
(Unix seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256>` of `id.timestamp.body`
with CLIENTELA_SMS_WEBHOOK_SECRET; several space-separated signatures are allowed while a
secret is rotated). A callback is refused when a header is missing, no signature matches,
its timestamp is further than CLIENTELA_SMS_WEBHOOK_TOLERANCE seconds from now, or its id was
taken in before (a replay). Only then are the callbacks exempt from CSRF: the signature is
what a session cookie would otherwise prove.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.services import count_hit, refuse_if_throttled
from clientela.consent.services.ratelimit import public_limit
from clientela.core.errors import Conflict, Forbidden, NotFound
from clientela.messaging.models import SignedCallback

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
KEPT = timedelta(days=1)  # ids are remembered longer than any timestamp is accepted


def webhook_secret() -> bytes:
    """The configured secret's key: `whsec_` and base64, or the text itself; NotFound when
    none is set (the callbacks are off)."""
    secret = getattr(settings, "CLIENTELA_SMS_WEBHOOK_SECRET", "")
    if not secret:
        raise NotFound(
            _("SMS callbacks are not configured on this server"), code="sms_callbacks_off"
        )
    if secret.startswith("whsec_"):
        try:
            return base64.b64decode(secret.removeprefix("whsec_"), validate=True)
        except binascii.Error:
            pass  # not base64 after all: the whole text is the key
    return secret.encode()


def tolerance() -> int:
    """Seconds a callback's timestamp may be from now, either way."""
    return int(getattr(settings, "CLIENTELA_SMS_WEBHOOK_TOLERANCE", 300))


def signature(key: bytes, webhook_id: str, timestamp: str, body: bytes) -> str:
    """The `v1,` signature of one callback (what the gateway computes)."""
    content = webhook_id.encode() + b"." + timestamp.encode() + b"." + body
    digest = hmac.new(key, content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(key: bytes, webhook_id: str, body: bytes, at: datetime) -> dict[str, str]:
    """The three headers a gateway sends with a callback signed with `key`."""
    timestamp = str(int(at.timestamp()))
    return {
        ID_HEADER: webhook_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(key, webhook_id, timestamp, body),
    }


def verify(headers: Mapping[str, str], body: bytes, *, now: datetime | None = None) -> str:
    """The callback's id when its signature and timestamp hold; Forbidden otherwise.

    `headers` is looked up in lower case (Django's `request.headers` ignores case)."""
    key = webhook_secret()
    webhook_id = headers.get(ID_HEADER, "")
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    signatures = headers.get(SIGNATURE_HEADER, "")
    if not (webhook_id and timestamp and signatures) or len(webhook_id) > 200:
        raise Forbidden(
            _(
                "the callback must carry webhook-id (at most 200 characters), "
                "webhook-timestamp and webhook-signature"
            ),
            code="sms_signature_missing",
        )
    if not timestamp.isdigit() or len(timestamp) > 12:
        raise Forbidden(
            _("webhook-timestamp %(value)s is not Unix seconds"),
            code="sms_timestamp_invalid",
            params={"value": timestamp[:20]},
        )
    expected = signature(key, webhook_id, timestamp, body)
    given = [s for s in signatures.split() if s.startswith("v1,")]
    if not any(hmac.compare_digest(expected.encode(), s.encode()) for s in given):
        raise Forbidden(_("the callback's signature does not match"), code="sms_signature_invalid")
    now = now or timezone.now()
    age = abs(now.timestamp() - int(timestamp))
    if age > tolerance():
        raise Forbidden(
            _(
                "the callback's timestamp is %(seconds)s seconds from now; "
                "at most %(limit)s are allowed"
            ),
            code="sms_timestamp_stale",
            params={"seconds": int(age), "limit": tolerance()},
        )
    return webhook_id


def is_replay(webhook_id: str) -> bool:
    """Whether a callback with this id was taken in already."""
    return SignedCallback.objects.filter(webhook_id=webhook_id).exists()


def replayed(webhook_id: str) -> Conflict:
    return Conflict(
        _("callback %(id)s was received already"),
        code="sms_callback_replayed",
        params={"id": webhook_id},
    )


def remember(webhook_id: str) -> None:
    """Note the callback's id inside the transaction that acts on it (Conflict when another
    request took it in first), and forget ids older than a day."""
    now = timezone.now()
    try:
        with transaction.atomic():
            SignedCallback.objects.create(webhook_id=webhook_id, received_at=now)
    except IntegrityError as exc:
        raise replayed(webhook_id) from exc
    SignedCallback.objects.filter(received_at__lt=now - KEPT).delete()


def admit(headers: Mapping[str, str], body: bytes, *, address: str) -> str:
    """The id of a callback that may be acted on, before its transaction opens.

    The client's address is throttled like the public pages', counting only refused
    callbacks (bad or missing signature, stale timestamp, replay): a gateway's steady stream
    of good ones is never held back, a forger soon is (429)."""
    door = "sms_callback"
    limit = public_limit()
    refuse_if_throttled(door, address=address, limit=limit)
    try:
        webhook_id = verify(headers, body)
        if is_replay(webhook_id):
            raise replayed(webhook_id)
    except (Forbidden, Conflict):
        count_hit(door, address=address)
        raise
    return webhook_id
