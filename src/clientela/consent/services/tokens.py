"""Links the customer receives: opaque random tokens, stored only as keyed hashes.

A token is 32 random bytes (256 bits) in URL-safe base64. Nothing in the URL says who it is
for: the party is found through the stored hash, so tampered, truncated, expired, foreign
and wrong-key tokens are all simply "not found".
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.consent.models import (
    CONSENT_PURPOSES,
    PreferenceToken,
    SignupRequest,
    TokenPurpose,
)
from clientela.consent.services.keys import keyed_digest
from clientela.core.errors import invalid
from clientela.parties.models import Party

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")
DEFAULT_DAYS = {TokenPurpose.PREFERENCES: 60, TokenPurpose.UNSUBSCRIBE: 180}


def token_digest(raw: str) -> str:
    return keyed_digest(raw, scope="link")


def new_token() -> tuple[str, str]:
    """A fresh random token and its keyed hash."""
    raw = secrets.token_urlsafe(32)
    return raw, token_digest(raw)


def issue_token(
    party: Party, *, purpose: str, list_purpose: str = "", days: int | None = None
) -> str:
    """Store a new link for the party and return the raw token (shown once, never stored)."""
    if purpose == TokenPurpose.UNSUBSCRIBE and list_purpose not in CONSENT_PURPOSES:
        raise invalid(
            "purpose",
            list_purpose,
            _("is not a list that can be left"),
            code="unsubscribe_list_invalid",
        )
    days = days if days is not None else DEFAULT_DAYS[TokenPurpose(purpose)]
    raw, digest = new_token()
    PreferenceToken.objects.create(
        digest=digest,
        party=party,
        purpose=purpose,
        list_purpose=list_purpose,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return raw


def resolve_token(raw: str, *, purpose: str) -> PreferenceToken | None:
    """The live link behind this token for this purpose, or None for anything else."""
    if not _TOKEN.match(raw or ""):
        return None
    token = (
        PreferenceToken.objects.select_related("party")
        .filter(digest=token_digest(raw), purpose=purpose, expires_at__gt=timezone.now())
        .first()
    )
    if token is None or token.party.archived_at is not None:
        return None
    return token


def absolute_url(path: str) -> str:
    """A link for a message: CLIENTELA_PUBLIC_URL (the address customers reach) + path."""
    base = str(getattr(settings, "CLIENTELA_PUBLIC_URL", "") or "http://localhost:8000")
    return base.rstrip("/") + path


def preference_centre_url(party: Party, *, days: int | None = None) -> str:
    raw = issue_token(party, purpose=TokenPurpose.PREFERENCES, days=days)
    return absolute_url(reverse("consent:preference_centre", args=[raw]))


def unsubscribe_headers(party: Party, *, purpose: str) -> dict[str, str]:
    """The RFC 8058 header values for a message of this purpose to this party."""
    raw = issue_token(party, purpose=TokenPurpose.UNSUBSCRIBE, list_purpose=purpose)
    url = absolute_url(reverse("consent:unsubscribe", args=[raw]))
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def end_pending_signups(emails: Iterable[str]) -> int:
    """Expire the unconfirmed sign-up links of these (normalised) addresses, now.

    Called when the person says no by e-mail or the address is suppressed: a confirmation
    link sent before that must not undo it. A sign-up made afterwards gets a new link.
    """
    digests = {keyed_digest(email, scope="signup") for email in emails}
    if not digests:
        return 0
    now = timezone.now()
    pending = SignupRequest.objects.filter(
        email_digest__in=digests, confirmed_at__isnull=True, expires_at__gt=now
    )
    return pending.update(expires_at=now)
