"""Keyed hashes: how tokens, suppressed contacts and throttling keys are stored."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings


def consent_key() -> bytes:
    """The key of every keyed hash in this app; CLIENTELA_CONSENT_KEY, else the secret key.

    A separate key lets an operator rotate SECRET_KEY without forgetting who is suppressed.
    """
    key = getattr(settings, "CLIENTELA_CONSENT_KEY", "") or settings.SECRET_KEY
    return key.encode()


def keyed_digest(value: str, *, scope: str) -> str:
    """HMAC-SHA256 of `value`, separated by `scope` so one hash never answers for another use."""
    message = f"{scope}\x00{value}".encode()
    return hmac.new(consent_key(), message, hashlib.sha256).hexdigest()
