"""Use cases for staff users: creating, finding, enabling and disabling them, and signing in."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Right, Role, Team, User
from clientela.accounts.services.throttle import SIGN_IN, count_hit, refuse_if_throttled
from clientela.core.clients import client_address
from clientela.core.errors import Conflict, Forbidden, NotFound, invalid


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


def require_right(user: User, right: Right) -> None:
    """Refuse a user whose role lacks `right` in the matrix (accounts.models.RIGHTS)."""
    if user.may(right):
        return
    if right == Right.WRITE:
        require_write(user)
    if right == Right.ASSIGN:
        raise Forbidden(
            _("only managers and admins may assign owners and teams"), code="assign_forbidden"
        )
    if right == Right.EXPORT:
        raise Forbidden(_("your role may not export customer data"), code="export_forbidden")
    if right == Right.IMPORT:
        raise Forbidden(_("your role may not import files"), code="import_forbidden")
    if right == Right.MERGE:
        raise Forbidden(_("your role may not merge parties"), code="merge_forbidden")
    if right == Right.ADMINISTER:
        raise Forbidden(
            _("only an admin may manage users, teams and settings"), code="administer_forbidden"
        )
    if right == Right.AUDIT:
        raise Forbidden(_("your role may not read the audit log"), code="audit_forbidden")
    raise Forbidden(_("your role may not archive parties"), code="archive_forbidden")
