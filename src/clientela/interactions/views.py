"""The quick "log an interaction" form of the party page (htmx, and plain POST without JS)."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from clientela.accounts.services import require_write
from clientela.core.errors import Invalid, NotFound
from clientela.core.htmx import htmx
from clientela.core.ids import id_from_text
from clientela.core.pages import invalid_messages, page_errors, pydantic_messages
from clientela.core.requests import current_user
from clientela.interactions.presenters import empty_log_form, timeline_rows
from clientela.interactions.schemas import InteractionCreate
from clientela.interactions.services import interaction_entry, log_interaction
from clientela.parties.queries import get_visible_party

FIELDS = ("channel", "direction", "occurred_at", "subject", "notes", "outcome")


def _aware(text: str) -> str | None:
    """A datetime-local value read in the active time zone; other text is left to the schema."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment.isoformat()


@require_POST
@login_required
@page_errors
def log(request: HttpRequest) -> HttpResponse:
    """Log a contact with a party: validated by the API's schema, saved by its service."""
    user = current_user(request)
    party_id = id_from_text(request.POST.get("party_id"))
    if party_id is None:
        raise NotFound(_("No such party."), code="party_not_found")
    party = get_visible_party(user, party_id)
    require_write(user)
    values = {name: request.POST.get(name, "").strip() for name in FIELDS}
    values["notes"] = request.POST.get("notes", "")
    form = {**empty_log_form(), "values": values}
    errors: dict[str, list[str]] = {}
    try:
        data = InteractionCreate.model_validate(
            {"party_id": party.pk, **values, "occurred_at": _aware(values["occurred_at"])}
        )
        with transaction.atomic():
            interaction, _created = log_interaction(data, by=user)
    except ValidationError as exc:
        for error, message in pydantic_messages(exc):
            errors.setdefault(error.field.split(".")[0], []).append(message)
    except Invalid as exc:
        for error, message in invalid_messages(exc):
            errors.setdefault(error.field, []).append(message)
    is_htmx = bool(htmx(request))
    if errors:
        form["errors"] = errors
        context = {"party": party, "log": form}
        if is_htmx:
            response = render(request, "interactions/_log_form.html", context, status=422)
            response["HX-Retarget"] = "#log-form"
            response["HX-Reswap"] = "outerHTML"
            return response
        return render(request, "interactions/log.html", context, status=422)
    if not is_htmx:
        messages.success(request, gettext("The interaction was logged."))
        return redirect(reverse("parties:detail", args=[party.pk]) + "#timeline")
    entry = interaction_entry(
        pk=interaction.pk,
        at=interaction.occurred_at,
        subject=interaction.subject,
        channel=interaction.channel,
        direction=interaction.direction,
        notes=interaction.notes,
        outcome=interaction.outcome,
        corrects_id=interaction.corrects_id,
        actor=str(user),
    )
    context = {
        "party": party,
        "row": {**timeline_rows([entry])[0], "is_new": True},
        "log": {**empty_log_form(), "saved": True},
    }
    return render(request, "interactions/_logged.html", context, status=201)
