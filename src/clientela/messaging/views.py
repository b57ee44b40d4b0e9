"""The template pages: the list, the form (a tab per language), archiving, and previews for a
real party or a sample of a segment, each saying which variant was used and why."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError

from clientela.accounts.services import require_write
from clientela.consent.models import Purpose
from clientela.core.errors import Conflict, Invalid, NotFound
from clientela.core.ids import id_from_text
from clientela.core.pages import page_errors
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
from clientela.messaging.presenters import preview_out, reason_text, variables_out
from clientela.messaging.schemas import TemplateCreate, TemplateUpdate
from clientela.segments.queries import list_segments


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
