"""Pages of messaging: a personal e-mail to a customer from the customer page (write,
preview, send through the outbox)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods
from pydantic import ValidationError

from clientela.accounts.services import require_write
from clientela.core.errors import Invalid
from clientela.core.htmx import htmx
from clientela.core.pages import invalid_messages, page_errors, pydantic_messages
from clientela.core.requests import current_user
from clientela.messaging.presenters import compose_context
from clientela.messaging.schemas import StaffEmailIn
from clientela.messaging.services.staff import preview_staff_email, send_staff_email
from clientela.parties.models import Party
from clientela.parties.queries import get_visible_party

FIELDS = ("subject", "body", "purpose")


def _errors(pairs: list[tuple[Any, str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for error, text in pairs:
        found.setdefault(str(error.field).split(".")[0], text)
    return found


def _answer(
    request: HttpRequest, party: Party, context: dict[str, Any], status: int
) -> HttpResponse:
    """The section alone for htmx, else the form on a page of its own."""
    context = {"party": party, "can_write": True, **context}
    template = "messaging/_party_panel.html" if htmx(request) else "messaging/compose.html"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def compose(request: HttpRequest, party_id: int) -> HttpResponse:
    """Write an e-mail to the party; "preview" shows it as it would leave, "send" queues it."""
    user = current_user(request)
    party = get_visible_party(user, party_id)
    require_write(user)
    if request.method == "GET":
        return _answer(request, party, compose_context(user, party, values={}), 200)
    values = {name: request.POST.get(name, "") for name in FIELDS}
    try:
        data = StaffEmailIn.model_validate(values)
    except ValidationError as exc:
        errors = _errors(pydantic_messages(exc))
        return _answer(
            request, party, compose_context(user, party, values=values, errors=errors), 422
        )
    if request.POST.get("action") != "send":
        preview = preview_staff_email(user, party, data)
        context = compose_context(user, party, values=values, preview={"mail": preview})
        return _answer(request, party, context, 200)
    try:
        with transaction.atomic():
            send_staff_email(user, party, data)
    except Invalid as exc:
        errors = _errors(invalid_messages(exc))
        return _answer(
            request, party, compose_context(user, party, values=values, errors=errors), 422
        )
    if htmx(request):
        return _answer(request, party, compose_context(user, party, queued=True), 201)
    messages.success(
        request, gettext("The e-mail is queued; it leaves with the next round of the worker.")
    )
    return redirect(reverse("parties:detail", args=[party.pk]) + "?tab=messages")
