"""Pages: the public preference centre, one-click unsubscribe, sign-up and its confirmation;
the staff consent panel and the privacy-request queue."""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError

from clientela.consent.forms import checkbox_name, preferences_from, wanted_consents
from clientela.consent.models import (
    CONTACT_CHANNELS,
    CONTACT_PURPOSES,
    ConsentChannel,
    ConsentSource,
    Purpose,
    RequestChannel,
    RequestKind,
    RequestStatus,
    TokenPurpose,
)
from clientela.consent.schemas import SignupIn
from clientela.consent.services import (
    Proof,
    act_on_request,
    confirm_signup,
    consent_history,
    customer_language,
    export_archive,
    gate_overview,
    get_preferences,
    open_request,
    resolve_token,
    send_confirmation,
    start_signup,
    unsubscribe,
    visible_requests,
)
from clientela.consent.services.centre import (
    ask_to_be_forgotten,
    consent_states,
    leave_everything,
    save_centre,
)
from clientela.consent.services.ratelimit import allow_ip
from clientela.consent.services.signup import is_ip_flooding, pending_signup
from clientela.core.errors import DomainError, FieldError
from clientela.core.htmx import render_page
from clientela.core.pages import pydantic_messages
from clientela.parties.queries import get_visible_party

PUBLIC_HEADERS = {
    "Cache-Control": "no-store",
    # The token is in the URL: never pass it to another site. (Not "no-referrer": browsers
    # then send "Origin: null" with the page's own forms, and CSRF checks refuse them.)
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow",
}


def _proof(request: HttpRequest) -> Proof:
    return Proof(
        ip=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )


def _public(response: HttpResponse) -> HttpResponse:
    for key, value in PUBLIC_HEADERS.items():
        response[key] = value
    return response


def invalid_link(request: HttpRequest) -> HttpResponse:
    """One answer for every unusable link: unknown, altered, cut, expired, foreign, used."""
    return _public(render(request, "consent/public/invalid_link.html", {}, status=404))


def too_many(request: HttpRequest) -> HttpResponse:
    response = render(request, "consent/public/too_many.html", {}, status=429)
    response["Retry-After"] = "600"
    return _public(response)


View = Callable[..., HttpResponse]


def rate_limited(bucket: str) -> Callable[[View], View]:
    """Count the request against the IP's limit first; public responses are never cached."""

    def decorate(view: View) -> View:
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not allow_ip(bucket, request.META.get("REMOTE_ADDR", "")):
                return too_many(request)
            return _public(view(request, *args, **kwargs))

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorate


# The public preference centre ------------------------------------------------------------


def _grid(states: dict[tuple[str, str], bool]) -> list[dict[str, Any]]:
    channels = dict(ConsentChannel.choices)
    purposes = dict(Purpose.choices)
    return [
        {
            "purpose": purpose,
            "label": purposes[purpose],
            "cells": [
                {
                    "name": checkbox_name(purpose, channel),
                    "channel": channel,
                    "label": channels[channel],
                    "on": states[(purpose, channel)],
                }
                for channel in CONTACT_CHANNELS
            ],
        }
        for purpose in CONTACT_PURPOSES
    ]


def _centre_context(token: Any, party: Any, **extra: Any) -> dict[str, Any]:
    states = consent_states(party)
    return {
        "token": token,
        "party": party,
        "prefs": get_preferences(party),
        "grid": _grid(states),
        "channels": [(c, dict(ConsentChannel.choices)[c]) for c in CONTACT_CHANNELS],
        "profiling_name": checkbox_name(Purpose.PROFILING, ConsentChannel.ANY),
        "profiling_on": states[(Purpose.PROFILING, ConsentChannel.ANY)],
        "errors": {},
        "saved": False,
        **extra,
    }


@require_http_methods(["GET", "POST"])
@rate_limited("preferences")
def preference_centre(request: HttpRequest, token: str) -> HttpResponse:
    """See and change consents per purpose and channel, preferences, pause, leave everything."""
    link = resolve_token(token, purpose=TokenPurpose.PREFERENCES)
    if link is None:
        return invalid_link(request)
    party = link.party
    language = customer_language(party)
    with translation.override(language):
        if request.method == "POST":
            return _save_centre(request, token, party, language)
        context = _centre_context(token, party)
        return render(request, "consent/public/preference_centre.html", context)


def _save_centre(request: HttpRequest, token: str, party: Any, language: str) -> HttpResponse:
    proof = _proof(request)
    if request.POST.get("action") == "leave_all":
        with transaction.atomic():
            leave_everything(party, proof=proof)
        context = _centre_context(token, party, saved=True, left_all=True)
        return render(request, "consent/public/preference_centre.html", context)
    prefs, errors = preferences_from(request.POST)
    if prefs is None:
        by_field = {e.field: e.text() for e in errors}
        context = _centre_context(token, party, errors=by_field, form=request.POST)
        return render(request, "consent/public/preference_centre.html", context, status=422)
    with transaction.atomic():
        save_centre(
            party,
            wanted=wanted_consents(request.POST),
            preferences=prefs,
            proof=proof,
            language=language,
        )
    context = _centre_context(token, party, saved=True)
    return render(request, "consent/public/preference_centre.html", context)


@require_GET
@rate_limited("preferences")
def download_data(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's own data: a zip with data.json and one CSV per section."""
    link = resolve_token(token, purpose=TokenPurpose.PREFERENCES)
    if link is None:
        return invalid_link(request)
    response = HttpResponse(export_archive(link.party), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="my-data.zip"'
    return response


@require_POST
@rate_limited("preferences")
def forget_me(request: HttpRequest, token: str) -> HttpResponse:
    """Ask to be forgotten: logs an erasure request that staff carry out within a month."""
    link = resolve_token(token, purpose=TokenPurpose.PREFERENCES)
    if link is None:
        return invalid_link(request)
    with translation.override(customer_language(link.party)), transaction.atomic():
        row = ask_to_be_forgotten(link.party)
        return render(request, "consent/public/forget_requested.html", {"request_row": row})


# One-click unsubscribe (RFC 8058) ---------------------------------------------------------


@csrf_exempt  # RFC 8058: mailbox providers POST with no cookies and no CSRF token
@require_http_methods(["GET", "POST"])
@rate_limited("unsubscribe")
def unsubscribe_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirmation (mail scanners follow links); POST unsubscribes, idempotently."""
    link = resolve_token(token, purpose=TokenPurpose.UNSUBSCRIBE)
    if link is None:
        return invalid_link(request)
    purpose_label = dict(Purpose.choices)[link.list_purpose]
    with translation.override(customer_language(link.party)):
        if request.method == "GET":
            context = {"token": token, "purpose": purpose_label}
            return render(request, "consent/public/unsubscribe_confirm.html", context)
        with transaction.atomic():
            unsubscribe(
                link.party,
                purpose=link.list_purpose,
                source=ConsentSource.UNSUBSCRIBE_LINK,
                proof=_proof(request),
            )
        return render(request, "consent/public/unsubscribed.html", {"purpose": purpose_label})


# Public sign-up with double opt-in --------------------------------------------------------

SIGNUP_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'self'; object-src 'none'; frame-ancestors {ancestors}"
)


def _signup_wording() -> str:
    return _(
        "Yes, send me the newsletter by e-mail. I can unsubscribe at any time with the link "
        "in every message."
    )


@csrf_exempt  # embeddable on other sites; double opt-in, not a CSRF token, proves intent
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
@rate_limited("signup")
def signup_form(request: HttpRequest) -> HttpResponse:
    """An embeddable form; the wording shown is the wording stored with the consent."""
    from django.conf import settings

    context: dict[str, Any] = {"wording": _signup_wording(), "errors": {}, "form": {}}
    status = 200
    if request.method == "POST":
        status, context = _submit_signup(request, context)
    response = render(request, "consent/public/signup.html", context, status=status)
    ancestors = getattr(settings, "CLIENTELA_SIGNUP_FRAME_ANCESTORS", "'self'")
    response["Content-Security-Policy"] = SIGNUP_CSP.format(ancestors=ancestors)
    return response


def _submit_signup(request: HttpRequest, context: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    proof = _proof(request)
    data = {
        "email": request.POST.get("email", "").strip()[:254],
        "name": request.POST.get("name", "").strip()[:200],
        "language": translation.get_language() or "",
        "purposes": ["newsletter"],
        "wording": {"text": context["wording"], "version": "signup-form-1"},
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
        except (OSError, smtplib.SMTPException):
            context["errors"] = {"email": _("The e-mail could not be sent. Try again later.")}
            return 503, context
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
            signup = confirm_signup(token, proof=_proof(request))
        if signup is None:
            return invalid_link(request)
        return render(request, "consent/public/signup_confirmed.html", {})


# Staff pages ------------------------------------------------------------------------------


@login_required
@require_GET
def party_consents(request: HttpRequest, party_id: int) -> HttpResponse:
    """The gate's answer and the consent history with its proof; the panel alone for htmx."""
    try:
        party = get_visible_party(request.user, party_id)  # type: ignore[arg-type]
    except DomainError:
        return render(request, "consent/not_found.html", {}, status=404)
    context = {
        "party": party,
        "gate": gate_overview(party),
        "channels": [(c, dict(ConsentChannel.choices)[c]) for c in CONTACT_CHANNELS],
        "history": list(consent_history(party)),
        "prefs": get_preferences(party),
        "requests": list(party.privacy_requests.order_by("-received_at")[:10]),
    }
    return render_page(
        request, "consent/party_consents.html", context, fragment="consent/_party_panel.html"
    )


@login_required
@require_http_methods(["GET", "POST"])
def privacy_queue(request: HttpRequest) -> HttpResponse:
    """Open requests with their deadlines; staff who may write log new ones here."""
    errors: list[FieldError] = []
    if request.method == "POST":
        try:
            with transaction.atomic():
                party_id = int(request.POST.get("party_id", "0") or 0)
                party = get_visible_party(request.user, party_id)  # type: ignore[arg-type]
                row = open_request(
                    party,
                    kind=request.POST.get("kind", ""),
                    channel=RequestChannel.STAFF,
                    by=request.user,  # type: ignore[arg-type]
                    note=request.POST.get("note", "")[:5000],
                )
            messages.success(request, _("Request #%(id)s logged.") % {"id": row.pk})
            return redirect("consent:privacy_queue")
        except ValueError:
            errors.append(FieldError("party_id", request.POST.get("party_id"), "is not a number"))
        except DomainError as exc:
            sent = request.POST.get("party_id")
            errors.extend(exc.errors or [FieldError("party_id", sent, exc.detail)])
    status = request.GET.get("status", RequestStatus.OPEN)
    if status not in {"", *RequestStatus.values}:
        status = RequestStatus.OPEN
    rows = visible_requests(request.user, status=status)[:500]  # type: ignore[arg-type]
    context = {
        "rows": rows,
        "status": status,
        "statuses": RequestStatus.choices,
        "kinds": RequestKind.choices,
        "errors": {e.field: e.text() for e in errors},
    }
    return render(request, "consent/privacy_queue.html", context, status=422 if errors else 200)


def _visible_request(request: HttpRequest, request_id: int) -> Any:
    return visible_requests(request.user).filter(pk=request_id).first()  # type: ignore[arg-type]


@login_required
@require_http_methods(["GET", "POST"])
def privacy_request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    """One request; managers and admins complete or reject it."""
    row = _visible_request(request, request_id)
    if row is None:
        return render(request, "consent/not_found.html", {}, status=404)
    error = ""
    if request.method == "POST":
        try:
            with transaction.atomic():
                act_on_request(
                    row,
                    action=request.POST.get("action", ""),
                    by=request.user,  # type: ignore[arg-type]
                    note=request.POST.get("note", "")[:5000],
                )
            messages.success(
                request,
                _("Request #%(id)s is %(status)s.")
                % {"id": row.pk, "status": row.get_status_display()},
            )
            return redirect("consent:privacy_request", request_id=row.pk)
        except DomainError as exc:
            error = exc.detail
            row.refresh_from_db()
    can_act = request.user.role in {"admin", "manager"}  # type: ignore[union-attr]
    context = {"row": row, "error": error, "can_act": can_act}
    return render(request, "consent/privacy_request.html", context, status=422 if error else 200)


@login_required
@require_GET
def privacy_request_export(request: HttpRequest, request_id: int) -> HttpResponse:
    """The access export of the request's party, as a zip of JSON and CSV."""
    row = _visible_request(request, request_id)
    if row is None:
        return render(request, "consent/not_found.html", {}, status=404)
    response = HttpResponse(export_archive(row.party), content_type="application/zip")
    name = f"privacy-request-{row.pk}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
