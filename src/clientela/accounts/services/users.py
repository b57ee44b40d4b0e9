"""Use cases for staff users: creating, finding, enabling and disabling them, changing their
role and team, and signing in."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Right, Role, Team, User
from clientela.accounts.services.audit import record_audit
from clientela.accounts.services.rights import require_right
from clientela.accounts.services.throttle import SIGN_IN, count_hit, refuse_if_throttled
from clientela.core.clients import client_address
from clientela.core.errors import Conflict, NotFound, invalid


def create_user(
    email: str, *, password: str, role: str, team_name: str | None = None, full_name: str = ""
) -> User:
    """Create a staff user; the team is created if it does not exist yet."""
    email = normal_email(email)
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
    check_password(password, user)
    if team_name:
        user.team = Team.objects.get_or_create(name=team_name.strip())[0]
    user.set_password(password)
    user.save()
    return user


def normal_email(email: str) -> str:
    """The address in lower case, or Invalid when it is not an e-mail address."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise invalid(
            "email", email, _("is not a valid e-mail address"), code="email_invalid"
        ) from exc
    return email


def check_password(password: str, user: User) -> None:
    """Refuse a password that Django's validators (settings.AUTH_PASSWORD_VALIDATORS) reject:
    the same rules for `clientela user create`, an invitation and a password reset."""
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


def find_user(email: str) -> User:
    """The user with this e-mail address, or NotFound."""
    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:
        raise NotFound(
            _("no user with e-mail %(email)s"), code="user_not_found", params={"email": email}
        )
    return user


def sign_in(request: HttpRequest, email: str, password: str) -> User | None:
    """The user whose credentials these are, or None: one answer for every cause.

    Raises Throttled (429) while too many sign-ins failed lately for this e-mail address or from
    this client address (`throttle`); each failure counts against both.
    """
    account, address = email.strip().lower(), client_address(request)
    refuse_if_throttled(SIGN_IN, account=account, address=address)
    user = authenticate(request, username=account, password=password)
    if user is None:
        count_hit(SIGN_IN, account=account, address=address)
        return None
    return user


def set_user_active(user: User, *, active: bool, by: User | None = None) -> User:
    """Disable or re-enable a user; a disabled user's sessions and API tokens stop at once.

    `by` is the admin doing it (None: the command line). Nobody disables themself, nor the
    last active admin. Audited as user.disabled / user.enabled.
    """
    if by is not None:
        require_right(by, Right.ADMINISTER)
    if user.is_active == active:
        return user
    if not active:
        if by is not None and by.pk == user.pk:
            raise Conflict(_("you may not disable yourself"), code="user_disable_self")
        _keep_an_admin(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    action = "user.enabled" if active else "user.disabled"
    record_audit(by, action, target_kind="user", target_id=user.pk, details={"email": user.email})
    return user


def _keep_an_admin(user: User) -> None:
    """Refuse to take the last active admin away (disabled or given another role)."""
    if user.role != Role.ADMIN or not user.is_active:
        return
    others = User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk)
    if not others.exists():
        raise Conflict(
            _("%(email)s is the last active admin; make another user an admin first"),
            code="last_admin",
            params={"email": user.email},
        )


def change_role(user: User, role: str, *, by: User | None) -> User:
    """Give the user another role (admins only; None: the command line). The last active
    admin keeps the admin role, and an admin does not demote themself. Audited."""
    if by is not None:
        require_right(by, Right.ADMINISTER)
    if role not in Role.values:
        raise invalid(
            "role",
            role,
            _("must be one of: %(values)s"),
            code="role_invalid",
            values=", ".join(Role.values),
        )
    if user.role == role:
        return user
    if by is not None and by.pk == user.pk:
        raise Conflict(_("you may not change your own role"), code="role_change_self")
    _keep_an_admin(user)
    before, user.role = user.role, role
    user.save(update_fields=["role"])
    details = {"email": user.email, "role_before": before, "role_after": role}
    record_audit(by, "user.role_changed", target_kind="user", target_id=user.pk, details=details)
    return user


def change_team(user: User, team: Team | None, *, by: User | None) -> User:
    """Put the user in another team, or in none (admins only; None: the command line)."""
    if by is not None:
        require_right(by, Right.ADMINISTER)
    if user.team_id == (team.pk if team else None):
        return user
    before = user.team.name if user.team else ""
    user.team = team
    user.save(update_fields=["team"])
    details = {"email": user.email, "team_before": before, "team_after": team.name if team else ""}
    record_audit(by, "user.team_changed", target_kind="user", target_id=user.pk, details=details)
    return user
