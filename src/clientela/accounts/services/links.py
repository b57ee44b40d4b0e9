"""The addresses mailed to staff: an invitation's and a password reset's.

Built from the request that asked for them (the address the admin uses reaches the server),
else from CLIENTELA_PUBLIC_URL (the command line).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from clientela.accounts.services.invitations import LinkFor
from clientela.accounts.services.passwords import ResetLinkFor


def _absolute(request: HttpRequest | None, path: str) -> str:
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.CLIENTELA_PUBLIC_URL + path


def invitation_link(request: HttpRequest | None) -> LinkFor:
    def link(raw: str) -> str:
        return _absolute(request, reverse("accounts:invitation", args=[raw]))

    return link


def reset_link(request: HttpRequest | None) -> ResetLinkFor:
    def link(uid: str, token: str) -> str:
        return _absolute(request, reverse("accounts:reset_password", args=[uid, token]))

    return link
