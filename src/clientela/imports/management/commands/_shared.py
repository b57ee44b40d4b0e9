"""What the import and export commands share: who they act as, and how errors read.

(A module whose name starts with an underscore is not a command of its own.)
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Role, User
from clientela.core.errors import DomainError, NotFound

USAGE = 2  # the exit status of a usage or file error


def acting_user(email: str | None) -> User:
    """The user named by --as, or the first active admin; NotFound when there is none."""
    users = User.objects.filter(is_active=True)
    if email:
        user = users.filter(email__iexact=email.strip()).first()
        if user is None:
            raise NotFound(
                _("--as %(email)s: no active user with that e-mail"),
                code="acting_user_unknown",
                params={"email": email},
            )
        return user
    user = users.filter(role=Role.ADMIN).order_by("pk").first()
    if user is None:
        raise NotFound(
            _("there is no active admin to act as; create one or give --as EMAIL"),
            code="acting_admin_missing",
        )
    return user


def describe_error(exc: DomainError) -> str:
    """The error in the active language, each field problem on a line of its own."""
    lines = [error.describe() for error in exc.errors]
    if exc.message or not lines:
        lines.insert(0, exc.detail)
    return "\n".join(lines)
