"""One throttle for every door: staff sign-in, API tokens, and the public pages.

Each door counts hits (a failed sign-in, a bad API token, a request to a public page) under
two keys: the account the attempt names, when it names one (the e-mail address of a sign-in),
and the client's address (`core.clients.client_address`: the address a trusted reverse proxy
forwarded, else the connection's). Once a key has as many hits within the door's window as its
limit allows, the door refuses with `Throttled` (429, Retry-After: the seconds until the oldest
of those hits ages out). The account key stops a guesser who changes address; the address key
stops one address trying many accounts; neither lets one client lock out the others.

Keys are stored as keyed hashes (never the address or the e-mail); hits older than a day are
deleted as new ones come in, and an admin may delete hits to lift a throttle early.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import ThrottleHit
from clientela.core.errors import Throttled

SIGN_IN = "sign_in"
API_TOKEN = "api_token"  # noqa: S105  (a door's name, not a secret)
KEPT = timedelta(days=1)  # hits are forgotten after a day, so no window is longer


@dataclass(frozen=True)
class Limit:
    """How many hits a door allows per account and per client address within `seconds`
    (0: that key is not limited)."""

    per_account: int
    per_address: int
    seconds: int


def door_limit(door: str) -> Limit:
    """The limit of the staff doors, from settings (docs/configuration.md)."""
    window = settings.CLIENTELA_SIGNIN_WINDOW_SECONDS
    if door == SIGN_IN:
        return Limit(
            per_account=settings.CLIENTELA_SIGNIN_MAX_FAILURES,
            per_address=settings.CLIENTELA_SIGNIN_MAX_FAILURES_PER_ADDRESS,
            seconds=window,
        )
    if door == API_TOKEN:  # a bad token names no account
        return Limit(
            per_account=0, per_address=settings.CLIENTELA_TOKEN_MAX_FAILURES, seconds=window
        )
    raise KeyError(door)


def _key(door: str, kind: str, value: str) -> str:
    message = f"{door}\x00{kind}\x00{value}"
    return salted_hmac("clientela.accounts.throttle", message, algorithm="sha256").hexdigest()


def _keys(door: str, address: str, account: str | None) -> dict[str, str]:
    """The stored keys of the address and of the account (when the attempt names one)."""
    keys = {"address": _key(door, "address", address or "unknown")}
    if account is not None:
        keys["account"] = _key(door, "account", account.strip().lower())
    return keys


def _seconds_left(door: str, key: str, allowed: int, window: timedelta, now: datetime) -> int:
    """Seconds until the key is below its limit again; 0 when it is below it now."""
    if allowed <= 0:
        return 0
    recent = ThrottleHit.objects.filter(door=door, key=key, at__gte=now - window)
    # The allowed-th most recent hit: while it is within the window, the key is at its limit.
    nth = list(recent.order_by("-at").values_list("at", flat=True)[allowed - 1 : allowed])
    if not nth:
        return 0
    return max(1, math.ceil((nth[0] + window - now).total_seconds()))


def refuse_if_throttled(
    door: str, *, address: str, account: str | None = None, limit: Limit | None = None
) -> None:
    """Raise Throttled when the account or the address used up the door's limit lately."""
    limit = limit or door_limit(door)
    window = min(timedelta(seconds=limit.seconds), KEPT)
    now = timezone.now()
    allowed = {"address": limit.per_address, "account": limit.per_account}
    wait = max(
        _seconds_left(door, key, allowed[kind], window, now)
        for kind, key in _keys(door, address, account).items()
    )
    if wait:
        raise Throttled(
            _("too many attempts; try again in %(seconds)s seconds"),
            code="throttled",
            params={"seconds": wait},
            retry_after=wait,
        )


def count_hit(door: str, *, address: str, account: str | None = None) -> None:
    """Count one attempt at the door against the address (and the account, if named)."""
    now = timezone.now()
    keys = _keys(door, address, account).values()
    ThrottleHit.objects.bulk_create([ThrottleHit(door=door, key=key, at=now) for key in keys])
    ThrottleHit.objects.filter(at__lt=now - KEPT).delete()


def count_request(
    door: str, *, address: str, account: str | None = None, limit: Limit | None = None
) -> None:
    """A door that counts every request (the public pages): refuse when over, else count."""
    refuse_if_throttled(door, address=address, account=account, limit=limit)
    count_hit(door, address=address, account=account)
