"""What the settings pages share: the admin check and field errors for the page."""

from __future__ import annotations

from django.http import HttpRequest

from clientela.accounts.models import Right, User
from clientela.accounts.services import require_right
from clientela.core.errors import DomainError
from clientela.core.pages import invalid_messages
from clientela.core.requests import current_user


def admin_user(request: HttpRequest) -> User:
    """The signed-in admin, else Forbidden (a 403 page through core.pages.page_errors)."""
    user = current_user(request)
    require_right(user, Right.ADMINISTER)
    return user


def field_errors(exc: DomainError) -> dict[str, list[str]]:
    """A service's refusal as messages by field ("body" for one about no field)."""
    errors: dict[str, list[str]] = {}
    for error, message in invalid_messages(exc):
        errors.setdefault(error.field, []).append(message)
    return errors
