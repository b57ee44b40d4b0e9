"""Interaction pages: the quick "log an interaction" form of the party page (htmx, and plain
POST without JS), the correction form reached from a timeline entry, and attachment downloads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError

from clientela.accounts.models import User
from clientela.accounts.services import require_write
from clientela.core.errors import Invalid, NotFound, TooLarge
from clientela.core.htmx import htmx
from clientela.core.ids import id_from_text
from clientela.core.pages import invalid_messages, page_errors, pydantic_messages
from clientela.core.requests import current_user
from clientela.interactions.models import Interaction
from clientela.interactions.presenters import (
    correction_form,
    download_response,
    empty_log_form,
    timeline_rows,
)
from clientela.interactions.schemas import InteractionCorrection, InteractionCreate
from clientela.interactions.services import (
    correct_interaction,
    get_visible_interaction,
    interaction_entry,
    log_interaction,
)
from clientela.interactions.services.attachments import (
    FIELD,
    attach_files,
    get_visible_attachment,
    open_attachment,
    refuse_oversized,
)
from clientela.parties.models import Party
from clientela.parties.queries import get_visible_party

FIELDS = ("channel", "direction", "occurred_at", "subject", "notes", "outcome")
Errors = dict[str, list[str]]


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


def _posted(request: HttpRequest) -> dict[str, Any]:
    values: dict[str, Any] = {name: request.POST.get(name, "").strip() for name in FIELDS}
    values["notes"] = request.POST.get("notes", "")
    return values


def _save(request: HttpRequest, write: Any) -> tuple[Interaction | None, Errors]:
    """Run `write()` (validation, then the service calls) in one transaction; the errors by
    field for the form when the input is refused (nothing is kept then)."""
    errors: Errors = {}
    try:
        refuse_oversized(request.META.get("CONTENT_LENGTH"))
        with transaction.atomic():
            return write(), errors
    except ValidationError as exc:
        for error, message in pydantic_messages(exc):
            errors.setdefault(error.field.split(".")[0], []).append(message)
    except (Invalid, TooLarge) as exc:
        if isinstance(exc, TooLarge):
            errors.setdefault(FIELD, []).append(exc.detail)
        for error, message in invalid_messages(exc) if isinstance(exc, Invalid) else []:
            errors.setdefault(error.field.split(".")[0], []).append(message)
    return None, errors


def _with_files(interaction: Interaction, request: HttpRequest, user: User) -> Interaction:
    files = request.FILES.getlist(FIELD)
    if files:
        attach_files(interaction, files, by=user)
    return interaction


@require_POST
@login_required
@page_errors
def log(request: HttpRequest) -> HttpResponse:
    """Log a contact with a party (and its files): validated by the API's schema, saved by
    its services."""
    user = current_user(request)
    party_id = id_from_text(request.POST.get("party_id"))
    if party_id is None:
        raise NotFound(_("No such party."), code="party_not_found")
    party = get_visible_party(user, party_id)
    require_write(user)
    values = _posted(request)

    def write() -> Interaction:
        data = InteractionCreate.model_validate(
            {"party_id": party.pk, **values, "occurred_at": _aware(values["occurred_at"])}
        )
        interaction, _created = log_interaction(data, by=user)
        return _with_files(interaction, request, user)

    interaction, errors = _save(request, write)
    is_htmx = bool(htmx(request))
    if interaction is None:
        form = {**empty_log_form(), "values": values, "errors": errors}
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
    return _logged(request, party, interaction, user)


def _logged(
    request: HttpRequest, party: Party, interaction: Interaction, user: User
) -> HttpResponse:
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
        has_attachments=interaction.attachments.exists(),
    )
    context = {
        "party": party,
        "row": {**timeline_rows([entry])[0], "is_new": True},
        "log": {**empty_log_form(), "saved": True},
        "can_correct": user.can_write,
    }
    return render(request, "interactions/_logged.html", context, status=201)


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def correct(request: HttpRequest, interaction_id: int) -> HttpResponse:
    """Correct a timeline entry: a form filled with it; saving logs the entry as it should
    have been, pointing at this one, which stays (greyed) on the timeline."""
    user = current_user(request)
    original = get_visible_interaction(user, interaction_id)
    require_write(user)
    party = original.party
    form = correction_form(original)
    status = 200
    if request.method == "POST":
        values = _posted(request)

        def write() -> Interaction:
            data = InteractionCorrection.model_validate(
                {**values, "occurred_at": _aware(values["occurred_at"])}
            )
            fixed = correct_interaction(original, data, by=user)
            return _with_files(fixed, request, user)

        fixed, errors = _save(request, write)
        if fixed is not None:
            messages.success(request, gettext("The correction was logged."))
            return redirect(reverse("parties:detail", args=[party.pk]) + f"#interaction-{fixed.pk}")
        form = {**form, "values": values, "errors": errors}
        status = 422
    context = {"party": party, "original": original, "log": form}
    return render(request, "interactions/correct.html", context, status=status)


@require_GET
@login_required
def attachment(request: HttpRequest, interaction_id: int, attachment_id: int) -> FileResponse:
    """A file of an interaction, for those who may see its party: always as a download, with
    the type its content was found to be and no sniffing by the browser."""
    try:
        found = get_visible_attachment(current_user(request), interaction_id, attachment_id)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    return download_response(found, open_attachment(found))
