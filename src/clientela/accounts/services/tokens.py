"""API tokens: issued once, checked on every API request, revoked; bad tokens are throttled.

Checking a token only reads. When it was last used is recorded after the answer has left
(`record_token_uses`, on Django's request_finished), at most once a minute per token, with a
short wait for the database: a busy database skips the record instead of holding or failing a
request, and a GET never writes.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import ApiToken, Right, Role, User
from clientela.accounts.services.audit import record_audit
from clientela.accounts.services.throttle import API_TOKEN, count_hit, refuse_if_throttled
from clientela.core import prepared
from clientela.core.errors import NotFound, invalid
from clientela.core.ids import is_id

log = logging.getLogger(__name__)
TOKEN_PREFIX = "cl_"  # noqa: S105  (a public marker, not a secret)
USE_INTERVAL = timedelta(minutes=1)  # last_used_at is written at most this often per token
NAME_LENGTH = 100  # the column's width
BRIEF_WAIT_MS = 200  # how long recording a use may wait for the database's write lock


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user: User, *, name: str = "", by: User | None = None) -> tuple[ApiToken, str]:
    """Issue a new API token; the raw value is returned once and never stored. `by` is who
    asked (the user themself on the tokens page; None: the command line). Audited."""
    if not user.is_active:
        raise invalid("email", user.email, _("this user is disabled"), code="user_disabled")
    name = " ".join(name.split())
    if len(name) > NAME_LENGTH:
        raise invalid(
            "name",
            name,
            _("must be at most %(max)s characters"),
            code="token_name_too_long",
            max=NAME_LENGTH,
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], digest=_digest(raw))
    details = {"email": user.email, "prefix": token.prefix, "name": name}
    record_audit(by, "token.created", target_kind="token", target_id=token.pk, details=details)
    return token, raw


def visible_tokens(user: User) -> QuerySet[ApiToken]:
    """The tokens `user` manages: their own; an admin's, everyone's. Newest first."""
    tokens = ApiToken.objects.select_related("user").order_by("-created_at", "-id")
    return tokens if user.may(Right.ADMINISTER) else tokens.filter(user=user)


def _active_token_rows(digest: str) -> Any:
    """The active user behind the active token with this digest, and the token's use."""
    fields = [f.attname for f in User._meta.concrete_fields]
    return User.objects.filter(
        is_active=True, api_tokens__digest=digest, api_tokens__revoked_at__isnull=True
    ).values_list(*fields, "api_tokens__id", "api_tokens__digest", "api_tokens__last_used_at")[:1]


def user_for_token(raw: str) -> User | None:
    """The active user behind an active token, or None; the use is noted, not yet written.

    One query per request, compiled once per process (core.prepared): a revoked token or a
    disabled user stops working at the next request.
    """
    if not raw.startswith(TOKEN_PREFIX):
        return None
    digest = _digest(raw)
    found = prepared.rows("accounts.user_for_token", _active_token_rows, {"digest": digest})
    if not found:
        return None
    *user_values, token_id, token_digest, last_used_at = found[0]
    # The digest lookup already matched; compare again in constant time out of caution.
    if not hmac.compare_digest(token_digest, digest):
        return None
    _note_use(token_id, digest, last_used_at)
    fields = [f.attname for f in User._meta.concrete_fields]
    return User.from_db(DEFAULT_DB_ALIAS, fields, user_values)


def authenticate_token(raw: str, *, address: str) -> User | None:
    """`user_for_token`, with bad tokens throttled per client address (Throttled, 429).

    A good token always works: only a bad one counts, and only bad ones are refused once the
    address sent too many lately.
    """
    user = user_for_token(raw)
    if user is None:
        refuse_if_throttled(API_TOKEN, address=address)
        try:
            with _brief_lock_wait():  # a GET with a bad token must not wait on a busy database
                count_hit(API_TOKEN, address=address)
        except DatabaseError as exc:
            log.warning("a bad API token was not counted (%s)", exc)
    return user


# --- when each token was last used ------------------------------------------------------------

_lock = threading.Lock()
_noted: dict[str, datetime] = {}  # token digest -> when this process last noted a use
_request = threading.local()  # .uses: token id -> when, noted by the request in this thread


def _uses() -> dict[int, datetime]:
    uses: dict[int, datetime] | None = getattr(_request, "uses", None)
    if uses is None:
        uses = _request.uses = {}
    return uses


def forget_unrecorded_uses(**_signal: object) -> None:
    """Start each request with nothing noted (request_started): a use noted outside a request
    belongs to no answer, and another request's record is not this one's to write."""
    _uses().clear()


def _note_use(token_id: int, digest: str, last_used_at: datetime | None) -> None:
    now = timezone.now()
    if last_used_at is not None and now - last_used_at < USE_INTERVAL:
        return
    with _lock:
        noted = _noted.get(digest)
        if noted is not None and now - noted < USE_INTERVAL:
            return
        if len(_noted) > 10_000:  # forget what no longer holds anything back
            for key in [k for k, at in _noted.items() if now - at >= USE_INTERVAL]:
                del _noted[key]
        _noted[digest] = now
    _uses()[token_id] = now


@contextmanager
def _brief_lock_wait() -> Iterator[None]:
    """Writes inside wait BRIEF_WAIT_MS at most for SQLite's write lock, then fail.

    SQLite has one writer at a time and makes the others wait up to the connection's timeout;
    a record that can be skipped should not hold a thread that long. PostgreSQL locks rows,
    and a token's row is only ever locked for a moment: it keeps its own timeouts.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "sqlite":
        yield
        return
    usual = int(1000 * float(connection.settings_dict["OPTIONS"].get("timeout", 5)))
    connection.ensure_connection()
    # A setting of the connection, as the PRAGMAs of its init_command: set on the driver's
    # connection itself, like those, rather than run as one of the request's queries.
    connection.connection.execute(f"PRAGMA busy_timeout = {BRIEF_WAIT_MS}")
    try:
        yield
    finally:
        connection.connection.execute(f"PRAGMA busy_timeout = {usual}")


def record_token_uses(**_signal: object) -> int:
    """Write the token uses noted in this thread since the last call; returns how many rows
    changed.

    Connected to request_finished, so it runs once the answer has been sent. It never raises:
    a database too busy to take the write within BRIEF_WAIT_MS skips it (one log line), and
    the use is written at the token's next use a minute later.
    """
    uses = dict(_uses())
    _uses().clear()
    written = 0
    for token_id, at in uses.items():
        stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=at - USE_INTERVAL)
        try:
            with _brief_lock_wait():
                written += ApiToken.objects.filter(stale, pk=token_id).update(last_used_at=at)
        except DatabaseError as exc:
            log.warning("API token %s: its use was not recorded (%s)", token_id, exc)
    return written


def revoke_token(user: User, token_id: int, *, by: User | None = None) -> ApiToken:
    """Revoke one of the user's tokens (admins may revoke anyone's); `by` did it (None: the
    command line). Audited once, when it stops working."""
    tokens = ApiToken.objects.all() if user.role == Role.ADMIN else user.api_tokens.all()
    token = tokens.select_related("user").filter(pk=token_id).first() if is_id(token_id) else None
    if token is None:
        raise NotFound(
            _("no token with id %(id)s"), code="token_not_found", params={"id": token_id}
        )
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        details = {"email": token.user.email, "prefix": token.prefix, "name": token.name}
        record_audit(by, "token.revoked", target_kind="token", target_id=token.pk, details=details)
    return token
