"""Pages reached from a mailed link, before sign-in: joining from an invitation, asking for a
password reset and choosing the new password. A bad, used or expired link gets one answer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from clientela.accounts.services import (
    accept_invitation,
    open_invitation,
    request_password_reset,
    reset_password,
    user_for_reset,
)
from clientela.accounts.services.links import reset_link
from clientela.accounts.views.common import field_errors
from clientela.core.clients import client_address
from clientela.core.errors import Conflict, Invalid, NotFound, Throttled, Unavailable

BACKEND = "django.contrib.auth.backends.ModelBackend"
# The token in the address never leaves for another site; "no-referrer" would also make the
# browser send `Origin: null` with the form, which Django's CSRF check refuses.
REFERRER = "same-origin"


def _link_gone(request: HttpRequest, exc: NotFound) -> HttpResponse:
    response = render(request, "accounts/link_gone.html", {"message": exc.detail}, status=404)
    response["Referrer-Policy"] = REFERRER
    return response


@require_http_methods(["GET", "POST"])
def invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee chooses a name and a password, and is signed in."""
    try:
        invitation = open_invitation(token[:100])
    except NotFound as exc:
        return _link_gone(request, exc)
    full_name, errors, status = "", {}, 200
    if request.method == "POST":
        full_name = request.POST.get("full_name", "")[:200]
        password = request.POST.get("password", "")[:4096]
        if password != request.POST.get("password_again", "")[:4096]:
            errors = {"password_again": [str(_("The two passwords are not the same."))]}
            status = 422
        else:
            try:
                with transaction.atomic():
                    user = accept_invitation(token[:100], full_name=full_name, password=password)
            except NotFound as exc:  # used or expired since the form was shown
                return _link_gone(request, exc)
            except (Invalid, Conflict) as exc:
                errors, status = field_errors(exc), exc.status
            else:
                login(request, user, backend=BACKEND)
                messages.success(request, _("Welcome to Clientela, %(name)s.") % {"name": user})
                return redirect("web:dashboard")
    context = {"invitation": invitation, "full_name": full_name, "errors": errors}
    response = render(request, "accounts/invitation.html", context, status=status)
    response["Referrer-Policy"] = REFERRER
    return response


@require_http_methods(["GET", "POST"])
def forgot_password_view(request: HttpRequest) -> HttpResponse:
    """Ask for a link by e-mail address: the same answer whether or not the address is known."""
    email, sent, error, status = "", False, "", 200
    throttled: Throttled | None = None
    if request.method == "POST":
        email = request.POST.get("email", "")[:254]
        try:
            with transaction.atomic():
                request_password_reset(
                    email, address=client_address(request), link_for=reset_link(request)
                )
        except Unavailable as exc:
            error, status = exc.detail, exc.status
        except Throttled as exc:
            throttled, error, status = exc, exc.detail, exc.status
        else:
            sent = True
    context = {"email": email, "sent": sent, "error": error}
    response = render(request, "accounts/forgot_password.html", context, status=status)
    for header, value in (throttled.headers if throttled else {}).items():
        response[header] = value
    return response


@require_http_methods(["GET", "POST"])
def reset_password_view(request: HttpRequest, uid: str, token: str) -> HttpResponse:
    """Choose the new password; other sessions of the user end, this one is signed in."""
    try:
        user = user_for_reset(uid[:40], token[:100])
    except NotFound as exc:
        return _link_gone(request, exc)
    errors, status = {}, 200
    if request.method == "POST":
        password = request.POST.get("password", "")[:4096]
        if password != request.POST.get("password_again", "")[:4096]:
            errors = {"password_again": [str(_("The two passwords are not the same."))]}
            status = 422
        else:
            try:
                with transaction.atomic():
                    user = reset_password(uid[:40], token[:100], password=password)
            except NotFound as exc:
                return _link_gone(request, exc)
            except Invalid as exc:
                errors, status = field_errors(exc), exc.status
            else:
                login(request, user, backend=BACKEND)
                update_session_auth_hash(request, user)
                messages.success(request, _("Your new password is saved."))
                return redirect("web:dashboard")
    context = {"shown": user, "errors": errors}
    response = render(request, "accounts/reset_password.html", context, status=status)
    response["Referrer-Policy"] = REFERRER
    return response
