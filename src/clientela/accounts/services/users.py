"""Use cases for staff accounts: users, API tokens, sign-in throttling."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DEFAULT_DB_ALIAS
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import ApiToken, Role, SignInFailure, Team, User
from clientela.core import prepared
from clientela.core.errors import Conflict, Forbidden, NotFound, invalid

TOKEN_PREFIX = "cl_"  # noqa: S105  (a public marker, not a secret)


def create_user(
    email: str, *, password: str, role: str, team_name: str | None = None, full_name: str = ""
) -> User:
    """Create a staff user; the team is created if it does not exist yet."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise invalid(
            "email", email, _("is not a valid e-mail address"), code="email_invalid"
        ) from exc
    if role not in Role.values:
        raise invalid(
            "role",
            role,
            _("must be one of: %(values)s"),
            code="role_invalid",
            values=", ".join(Role.values),
        )
    if User.objects.filter(email=email).exists():
        raise Conflict(
            _("a user with e-mail %(email)s already exists"),
            code="user_exists",
            params={"email": email},
        )
    user = User(email=email, role=role, full_name=full_name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        # Django's password validators word their reasons in the active language already.
        raise invalid(
            "password",
            "***",
            _("is not accepted: %(reasons)s"),
            code="password_rejected",
            reasons=" ".join(exc.messages),
        ) from exc
    if team_name:
        user.team = Team.objects.get_or_create(name=team_name.strip())[0]
    user.set_password(password)
    user.save()
    return user


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user: User, *, name: str = "") -> tuple[ApiToken, str]:
    """Issue a new API token; the raw value is returned once and never stored."""
    if not user.is_active:
        raise invalid("email", user.email, _("this user is disabled"), code="user_disabled")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:10], digest=_digest(raw))
    return token, raw


def _active_token_rows(digest: str) -> Any:
    """The active user behind the active token with this digest, and the token's use."""
    fields = [f.attname for f in User._meta.concrete_fields]
    return User.objects.filter(
        is_active=True, api_tokens__digest=digest, api_tokens__revoked_at__isnull=True
    ).values_list(*fields, "api_tokens__id", "api_tokens__digest", "api_tokens__last_used_at")[:1]


def user_for_token(raw: str) -> User | None:
    """The active user behind an active token, or None; marks the token as used.

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
    now = timezone.now()
    if last_used_at is None or now - last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    fields = [f.attname for f in User._meta.concrete_fields]
    return User.from_db(DEFAULT_DB_ALIAS, fields, user_values)


def revoke_token(user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's tokens (admins may revoke anyone's)."""
    tokens = ApiToken.objects.all() if user.role == Role.ADMIN else user.api_tokens.all()
    token = tokens.filter(pk=token_id).first()
    if token is None:
        raise NotFound(
            _("no token with id %(id)s"), code="token_not_found", params={"id": token_id}
        )
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def find_user(email: str) -> User:
    """The user with this e-mail address, or NotFound."""
    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:
        raise NotFound(
            _("no user with e-mail %(email)s"), code="user_not_found", params={"email": email}
        )
    return user


def _throttle_keys(email: str, ip: str) -> list[str]:
    return [_digest("email:" + email.strip().lower()), _digest("ip:" + ip)]


def is_sign_in_throttled(email: str, ip: str) -> bool:
    """True once too many sign-ins failed for this e-mail or this address recently."""
    since = timezone.now() - timedelta(seconds=settings.CLIENTELA_SIGNIN_WINDOW_SECONDS)
    limit = settings.CLIENTELA_SIGNIN_MAX_FAILURES
    for key in _throttle_keys(email, ip):
        if SignInFailure.objects.filter(key=key, at__gte=since).count() >= limit:
            return True
    return False


def sign_in(request: HttpRequest, email: str, password: str) -> User | None:
    """Check the credentials unless throttled; failures are recorded, one answer for all."""
    ip = request.META.get("REMOTE_ADDR", "")
    if is_sign_in_throttled(email, ip):
        return None
    user = authenticate(request, username=email.strip().lower(), password=password)
    if user is None:
        SignInFailure.objects.bulk_create([SignInFailure(key=k) for k in _throttle_keys(email, ip)])
        old = timezone.now() - timedelta(days=1)
        SignInFailure.objects.filter(at__lt=old).delete()
        return None
    return user


def set_user_active(user: User, *, active: bool) -> User:
    """Disable or re-enable a user; a disabled user's sessions and API tokens stop at once."""
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
    return user


def require_write(user: User) -> None:
    """Refuse users who may only read (viewers, disabled users)."""
    if not user.can_write:
        raise Forbidden(_("your role may not change anything"), code="role_read_only")
