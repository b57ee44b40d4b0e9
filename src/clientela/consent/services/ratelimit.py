"""The public pages' limit: requests per client address on each page family, counted by the
one throttle of every door (accounts.services.throttle)."""

from __future__ import annotations

from django.conf import settings

from clientela.accounts.services import Limit, count_request


def public_limit() -> Limit:
    """Requests one client address may make to each public page family within the window."""
    return Limit(
        per_account=0,
        per_address=int(getattr(settings, "CLIENTELA_PUBLIC_RATE_LIMIT", 60)),
        seconds=int(getattr(settings, "CLIENTELA_PUBLIC_RATE_WINDOW", 600)),
    )


def count_public_request(family: str, address: str) -> None:
    """Count one request to a page family ("signup", "preferences", "unsubscribe") from the
    client address; Throttled (429) once the address made too many lately."""
    count_request(family, address=address, limit=public_limit())
