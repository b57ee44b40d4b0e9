"""A small database-backed limiter for the public pages: shared by every worker process."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from clientela.consent.models import RateLimitHit
from clientela.consent.services.keys import keyed_digest


def public_limit() -> tuple[int, int]:
    """(requests, seconds) allowed per IP address on each public page family."""
    return (
        int(getattr(settings, "CLIENTELA_PUBLIC_RATE_LIMIT", 60)),
        int(getattr(settings, "CLIENTELA_PUBLIC_RATE_WINDOW", 600)),
    )


def allow(bucket: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit for (bucket, key); False once `limit` hits fell within the window."""
    now = timezone.now()
    digest = keyed_digest(key, scope=f"ratelimit:{bucket}")
    since = now - timedelta(seconds=window_seconds)
    hits = RateLimitHit.objects.filter(bucket=bucket, key=digest, at__gte=since)
    if hits.count() >= limit:
        return False
    RateLimitHit.objects.create(bucket=bucket, key=digest, at=now)
    # Keep the table small: forget this key's hits that no longer count.
    RateLimitHit.objects.filter(bucket=bucket, key=digest, at__lt=since).delete()
    return True


def allow_ip(bucket: str, ip: str) -> bool:
    """The per-IP limit of the public pages."""
    limit, window = public_limit()
    return allow(bucket, ip or "unknown", limit=limit, window_seconds=window)
