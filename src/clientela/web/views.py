"""Sign-in, sign-out, the dashboard and the language switch."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language

from clientela.accounts.models import User
from clientela.accounts.services import sign_in
from clientela.web.services import channel_label, dashboard, direction_label


@require_http_methods(["GET", "POST"])
def sign_in_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and request.user.is_authenticated:
        return redirect("web:dashboard")
    error = ""
    email = ""
    if request.method == "POST":
        email = request.POST.get("email", "")[:254]
        user = sign_in(request, email, request.POST.get("password", "")[:4096])
        if user is not None:
            login(request, user)
            return redirect(_safe_next(request, "web:dashboard"))
        # One answer for unknown user, wrong password, disabled user and throttling.
        error = _("E-mail or password is not right, or too many attempts. Try again later.")
    return render(
        request,
        "web/sign_in.html",
        {"error": error, "email": email, "next": request.GET.get("next", "")},
        status=401 if error else 200,
    )


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return default
    return target


@require_POST
def sign_out_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


@require_GET
@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    board = dashboard(request.user)  # type: ignore[arg-type]
    recent = [
        {
            "interaction": i,
            "channel_label": channel_label(i.channel),
            "direction_label": direction_label(i.direction),
        }
        for i in board.recent
    ]
    return render(request, "web/dashboard.html", {"board": board, "recent": recent})


@require_POST
@login_required
def language_view(request: HttpRequest) -> HttpResponse:
    """Remember the user's language; empty means follow the browser's."""
    user: User = request.user  # type: ignore[assignment]
    code = request.POST.get("language", "")
    if code not in {c for c, _name in settings.LANGUAGES}:
        code = ""
    user.language = code
    user.save(update_fields=["language"])
    if code:
        return set_language(request)  # the cookie, for pages before sign-in
    response = HttpResponseRedirect(_safe_next(request, "/"))
    response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response
