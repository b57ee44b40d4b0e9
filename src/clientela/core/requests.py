"""The typed request: who is asking, as the user model, for views that require sign-in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

if TYPE_CHECKING:  # a type only: core imports nothing above it at run time
    from clientela.accounts.models import User


def current_user(request: HttpRequest) -> User:
    """The signed-in user of a request that passed `login_required` or the API's token check.

    Anything else (an anonymous visitor reaching a view that forgot `login_required`) is
    refused rather than treated as a user.
    """
    user = request.user
    if not isinstance(user, get_user_model()) or not user.is_authenticated:
        raise PermissionDenied
    return user
