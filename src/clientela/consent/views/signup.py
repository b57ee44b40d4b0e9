"""Public sign-up with double opt-in: the embeddable form and the confirmation link."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from pydantic import ValidationError

from clientela.consent.forms import proof_of
from clientela.consent.presenters import SIGNUP_WORDING_VERSION, signup_wording
from clientela.consent.schemas import SignupIn
from clientela.consent.services import confirm_signup, send_confirmation, start_signup
from clientela.consent.services.signup import ConfirmationNotSent, is_ip_flooding, pending_signup
from clientela.consent.views.public import invalid_link, rate_limited
from clientela.core.pages import pydantic_messages

SIGNUP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors {ancestors}"
)


@csrf_exempt  # embeddable on other sites; double opt-in, not a CSRF token, proves intent
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
@rate_limited("signup")
def signup_form(request: HttpRequest) -> HttpResponse:
    """An embeddable form; the wording shown is the wording stored with the consent."""
    context: dict[str, Any] = {"wording": signup_wording(), "errors": {}, "form": {}}
    status = 200
    if request.method == "POST":
        status, context = _submit_signup(request, context)
    response = render(request, "consent/public/signup.html", context, status=status)
    if status == 429:  # too many sign-ups from this address: try again within the window
        response["Retry-After"] = str(getattr(settings, "CLIENTELA_SIGNUP_WINDOW", 3600))
    ancestors = getattr(settings, "CLIENTELA_SIGNUP_FRAME_ANCESTORS", "'self'")
    response["Content-Security-Policy"] = SIGNUP_CSP.format(ancestors=ancestors)
    return response


def _submit_signup(request: HttpRequest, context: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    proof = proof_of(request)
    data = {
        "email": request.POST.get("email", "").strip()[:254],
        "name": request.POST.get("name", "").strip()[:200],
        "language": translation.get_language() or "",
        "purposes": ["newsletter"],
        "wording": {"text": context["wording"], "version": SIGNUP_WORDING_VERSION},
    }
    context["form"] = data
    if request.POST.get("agree") != "on":
        context["errors"] = {"agree": _("Tick the box to agree.")}
        return 422, context
    try:
        payload = SignupIn.model_validate(data)
    except ValidationError as exc:
        context["errors"] = {e.field: m for e, m in pydantic_messages(exc)}
        return 422, context
    if is_ip_flooding(proof.ip or ""):
        return 429, {**context, "throttled": True}
    with transaction.atomic():
        started = start_signup(payload, proof=proof)
    if started is not None:
        try:
            send_confirmation(started)
        except ConfirmationNotSent as exc:
            context["errors"] = {"email": exc.detail}
            return exc.status, context
    return 200, {**context, "sent": True}


@require_http_methods(["GET", "POST"])
@rate_limited("signup")
def confirm_signup_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for a click (mail scanners follow links); POST confirms, once."""
    pending = pending_signup(token)
    if pending is None:
        return invalid_link(request)
    language = pending.language.split("-")[0] if pending.language else None
    with translation.override(language or translation.get_language()):
        if request.method == "GET":
            return render(request, "consent/public/confirm_signup.html", {"token": token})
        with transaction.atomic():
            signup = confirm_signup(token, proof=proof_of(request))
        if signup is None:
            return invalid_link(request)
        return render(request, "consent/public/signup_confirmed.html", {})
