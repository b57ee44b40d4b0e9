"""The public preference centre and one-click unsubscribe, reached by a link's token."""

from __future__ import annotations

from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.consent.forms import preferences_from, proof_of, wanted_consents
from clientela.consent.models import ConsentSource, Purpose, TokenPurpose
from clientela.consent.presenters import centre_context
from clientela.consent.services import (
    archive_file,
    customer_language,
    resolve_token,
    unsubscribe,
)
from clientela.consent.services.centre import ask_to_be_forgotten, leave_everything, save_centre
from clientela.consent.views.public import invalid_link, rate_limited
from clientela.parties.models import Party

PAGE = "consent/public/preference_centre.html"


@require_http_methods(["GET", "POST"])
@rate_limited("preferences")
def preference_centre(request: HttpRequest, token: str) -> HttpResponse:
    """See and change consents per purpose and channel, preferences, pause, leave everything."""
    link = resolve_token(token, purpose=TokenPurpose.PREFERENCES)
    if link is None:
        return invalid_link(request)
    party = link.party
    language = customer_language(party, fallback=translation.get_language())
    with translation.override(language):
        if request.method == "POST":
            return _save_centre(request, token, party, language)
        return render(request, PAGE, centre_context(token, party))


def _save_centre(request: HttpRequest, token: str, party: Party, language: str) -> HttpResponse:
    proof = proof_of(request)
    if request.POST.get("action") == "leave_all":
        with transaction.atomic():
            leave_everything(party, proof=proof)
        return render(request, PAGE, centre_context(token, party, saved=True, left_all=True))
    prefs, errors = preferences_from(request.POST)
    if prefs is None:
        by_field = {e.field: e.text() for e in errors}
        context = centre_context(token, party, errors=by_field, form=request.POST)
        return render(request, PAGE, context, status=422)
    with transaction.atomic():
        save_centre(
            party,
            wanted=wanted_consents(request.POST),
            preferences=prefs,
            proof=proof,
            language=language,
        )
    return render(request, PAGE, centre_context(token, party, saved=True))


@require_GET
@rate_limited("preferences")
def download_data(request: HttpRequest, token: str) -> FileResponse | HttpResponse:
    """The customer's own data: a zip with data.json and one CSV per section."""
    link = resolve_token(token, purpose=TokenPurpose.PREFERENCES)
    if link is None:
        return invalid_link(request)
    return FileResponse(
        archive_file(link.party),
        as_attachment=True,
        filename="my-data.zip",
        content_type="application/zip",
    )


@require_POST
@rate_limited("preferences")
def forget_me(request: HttpRequest, token: str) -> HttpResponse:
    """Ask to be forgotten: logs an erasure request that staff carry out within a month."""
    link = resolve_token(token, purpose=TokenPurpose.PREFERENCES)
    if link is None:
        return invalid_link(request)
    language = customer_language(link.party, fallback=translation.get_language())
    with translation.override(language), transaction.atomic():
        row = ask_to_be_forgotten(link.party)
        return render(request, "consent/public/forget_requested.html", {"request_row": row})


@csrf_exempt  # RFC 8058: mailbox providers POST with no cookies and no CSRF token
@require_http_methods(["GET", "POST"])
@rate_limited("unsubscribe")
def unsubscribe_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirmation (mail scanners follow links); POST unsubscribes, idempotently."""
    link = resolve_token(token, purpose=TokenPurpose.UNSUBSCRIBE)
    if link is None:
        return invalid_link(request)
    purpose_label = dict(Purpose.choices)[link.list_purpose]
    with translation.override(customer_language(link.party, fallback=translation.get_language())):
        if request.method == "GET":
            context = {"token": token, "purpose": purpose_label}
            return render(request, "consent/public/unsubscribe_confirm.html", context)
        with transaction.atomic():
            unsubscribe(
                link.party,
                purpose=link.list_purpose,
                source=ConsentSource.UNSUBSCRIBE_LINK,
                proof=proof_of(request),
            )
        return render(request, "consent/public/unsubscribed.html", {"purpose": purpose_label})
