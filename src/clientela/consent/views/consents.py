"""The staff consent panel of a party: the gate's answer now and the history with its proof."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clientela.consent.presenters import channel_choices
from clientela.consent.services import consent_history, gate_overview, get_preferences
from clientela.core.errors import NotFound
from clientela.core.htmx import render_page
from clientela.core.requests import current_user
from clientela.parties.models import Party
from clientela.parties.queries import get_visible_party

RECENT_REQUESTS = 10


@login_required
@require_GET
def party_consents(request: HttpRequest, party_id: int) -> HttpResponse:
    """The gate's answer and the consent history with its proof; the panel alone for htmx."""
    try:
        party = get_visible_party(current_user(request), party_id)
    except NotFound:
        return render(request, "consent/not_found.html", {}, status=404)
    return render_page(
        request,
        "consent/party_consents.html",
        consents_panel(request, party),
        fragment="consent/_party_panel.html",
    )


def consents_panel(request: HttpRequest, party: Party) -> dict[str, Any]:
    """The context of the consent panel: on its own page, and in the customer page's
    "Consent" section (core.registries)."""
    return {
        "party": party,
        "gate": gate_overview(party),
        "channels": channel_choices(),
        "history": list(consent_history(party)),
        "prefs": get_preferences(party),
        "requests": list(party.privacy_requests.order_by("-received_at")[:RECENT_REQUESTS]),
    }
