"""What the import and export commands share: who they act as, and how errors read."""

from __future__ import annotations

from clientela.accounts.models import Role, User
from clientela.core.errors import DomainError, NotFound


def acting_user(email: str | None) -> User:
    """The user named by --as, or the first active admin; NotFound when there is none."""
    users = User.objects.filter(is_active=True)
    if email:
        user = users.filter(email__iexact=email.strip()).first()
        if user is None:
            raise NotFound(f"--as {email}: no active user with that e-mail")
        return user
    user = users.filter(role=Role.ADMIN).order_by("pk").first()
    if user is None:
        raise NotFound("there is no active admin to act as; create one or give --as EMAIL")
    return user


def describe_error(exc: DomainError) -> str:
    """The error with each field problem on a line of its own."""
    if not exc.errors:
        return exc.detail
    return "\n".join(
        f"{e.field}: {e.value!r} {e.message}"
        if e.value not in (None, "")
        else f"{e.field}: {e.message}"
        for e in exc.errors
    )
