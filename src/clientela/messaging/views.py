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
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError

from clientela.accounts.services import require_write
from clientela.consent.models import Purpose
from clientela.core.errors import Conflict, Invalid, NotFound
from clientela.core.htmx import htmx
from clientela.core.ids import id_from_text
from clientela.core.pages import invalid_messages, page_errors, pydantic_messages
from clientela.core.requests import current_user
from clientela.messaging import queries, services
from clientela.messaging.forms import (
    current_values,
    form_errors,
    posted_template,
    template_input,
    variant_blocks,
)
from clientela.messaging.models import Channel, Template
from clientela.messaging.presenters import compose_context, preview_out, reason_text, variables_out
from clientela.messaging.schemas import StaffEmailIn, TemplateCreate, TemplateUpdate
from clientela.messaging.services.staff import preview_staff_email, send_staff_email
from clientela.parties.models import Party
from clientela.parties.queries import get_visible_party
from clientela.segments.queries import list_segments

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


@require_GET
@login_required
def template_list(request: HttpRequest) -> HttpResponse:
    archived = request.GET.get("archived") == "1"
    rows = queries.templates(archived=archived)
    context = {"templates": rows, "archived": archived}
    return render(request, "messaging/list.html", context)


def _form(
    request: HttpRequest,
    template: Template | None,
    values: dict[str, str],
    blocks: list[dict[str, str]],
    *,
    errors: tuple[dict[str, list[str]], dict[int, dict[str, list[str]]]] = ({}, {}),
    status: int = 200,
) -> HttpResponse:
    field_errors, variant_errors = errors
    context = {
        "template": template,
        "values": values,
        "variants": variant_blocks(blocks, variant_errors, spare=True),
        "errors": field_errors,
        "has_errors": bool(field_errors or variant_errors),
        "channels": Channel.choices,
        "purposes": Purpose.choices,
        "variables": variables_out(),
        "may_use_logic": current_user(request).can_edit_template_logic,
        "example_variable": '{{ party.first_name | default: "friend" }}',
        "example_logic": "{% if metrics.tier == 'Gold' %} … {% endif %}",
    }
    return render(request, "messaging/form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def template_new(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    require_write(user)
    if request.method == "GET":
        return _form(request, None, {"channel": "email", "purpose": "marketing"}, [])
    values, blocks = posted_template(request.POST)
    try:
        data = TemplateCreate.model_validate(template_input(values, blocks))
        with transaction.atomic():
            template = services.create_template(data, by=user)
    except (ValidationError, Invalid, Conflict) as exc:
        return _form(request, None, values, blocks, errors=form_errors(exc), status=422)
    messages.success(request, gettext("Template “%(name)s” created.") % {"name": template.name})
    return redirect("messaging:edit", template.pk)


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    user = current_user(request)
    template = queries.get_template(template_id)
    if request.method == "GET":
        return _form(request, template, *current_values(template))
    require_write(user)
    values, blocks = posted_template(request.POST)
    values["channel"] = template.channel
    try:
        payload = template_input(values, blocks)
        payload.pop("channel", None)
        data = TemplateUpdate.model_validate(payload)
        with transaction.atomic():
            services.update_template(template, data, by=user)
    except (ValidationError, Invalid, Conflict) as exc:
        return _form(request, template, values, blocks, errors=form_errors(exc), status=422)
    messages.success(request, gettext("Template “%(name)s” saved.") % {"name": template.name})
    return redirect("messaging:edit", template.pk)


@require_POST
@login_required
@page_errors
def template_archive(request: HttpRequest, template_id: int) -> HttpResponse:
    template = queries.get_template(template_id)
    with transaction.atomic():
        services.archive_template(template, by=current_user(request))
    messages.success(request, gettext("Template “%(name)s” archived.") % {"name": template.name})
    return redirect("messaging:list")


@require_GET
@login_required
@page_errors
def template_preview(request: HttpRequest, template_id: int) -> HttpResponse:
    """?party=ID (one party you may see) or ?segment=ID (a sample of 20 of its members)."""
    user = current_user(request)
    template = queries.get_template(template_id)
    party_id = id_from_text(request.GET.get("party", ""))
    segment_id = id_from_text(request.GET.get("segment", ""))
    items: list[dict[str, Any]] = []
    problem = ""
    try:
        if party_id is not None:
            items = [preview_out(services.preview_for_party(template, party_id, user=user))]
        elif segment_id is not None:
            found = services.preview_for_segment(template, segment_id, user=user)
            items = [preview_out(p) for p in found]
    except (NotFound, Invalid) as exc:
        problem = exc.detail
    for item in items:
        item["reason_text"] = reason_text(item["reason"]) if item["reason"] else ""
    context = {
        "template": template,
        "items": items,
        "problem": problem,
        "party_id": party_id or "",
        "segment_id": segment_id or "",
        "segments": list_segments(),
    }
    return render(request, "messaging/preview.html", context, status=404 if problem else 200)
