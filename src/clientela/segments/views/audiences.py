"""Segment pages: the list with counts, the rule builder with a live count, a segment's members,
its CSV export and static lists."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError

from clientela.accounts.services import require_write
from clientela.core.errors import FieldError, Forbidden, Invalid, NotFound
from clientela.core.htmx import render_page
from clientela.core.ids import id_from_text
from clientela.core.pages import invalid_messages, page_errors, pydantic_messages
from clientela.core.requests import current_user
from clientela.parties.models import Party, PartyKind, RelationshipRole
from clientela.parties.presenters import party_summary
from clientela.parties.queries import search_parties
from clientela.segments import queries, services
from clientela.segments.models import Segment, SegmentKind
from clientela.segments.presenters import (
    builder_fields,
    builder_texts,
    export_filename,
    member_csv,
    rule_lines,
)
from clientela.segments.schemas import SegmentCreate, SegmentUpdate
from clientela.segments.services.fields import field_catalog
from clientela.segments.services.rules import EMPTY_RULES, parse_rules_text

PAGE_SIZE = 50
PREVIEW_SIZE = 10
CANDIDATES = 20


@require_GET
@login_required
def segment_list(request: HttpRequest) -> HttpResponse:
    """Every segment, with the number of members the user may see in each."""
    page = Paginator(queries.list_segments(), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = queries.member_counts(page.object_list, current_user(request))
    rows = [{"segment": s, "count": counts[s.pk]} for s in page.object_list]
    return render(request, "segments/list.html", {"page": page, "rows": rows})


def _errors_by_field(pairs: list[tuple[FieldError, str]]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error, message in pairs:
        key = error.field if error.field in ("name", "description", "kind") else "rules"
        errors.setdefault(key, []).append(message if key != "rules" else _at(error, message))
    return errors


def _builder_page(
    request: HttpRequest,
    *,
    segment: Segment | None,
    values: dict[str, Any],
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "segment": segment,
        "values": values,
        "errors": errors or {},
        "kinds": SegmentKind.choices,
        "fields": builder_fields(field_catalog()),
        "texts": builder_texts(),
    }
    return render(request, "segments/builder.html", context, status=status)


def _form_values(request: HttpRequest) -> dict[str, Any]:
    return {
        "name": request.POST.get("name", ""),
        "description": request.POST.get("description", ""),
        "kind": request.POST.get("kind", SegmentKind.RULES),
        "rules": request.POST.get("rules", ""),
    }


def _rules_from(values: dict[str, Any]) -> Any:
    text = values["rules"].strip()
    return parse_rules_text(text) if text else dict(EMPTY_RULES)


def _rule_problems(values: dict[str, Any]) -> list[tuple[FieldError, str]]:
    """Problems of the rules, shown beside those of the other fields."""
    if values["kind"] != SegmentKind.RULES:
        return []
    try:
        services.check_rules(_rules_from(values))
    except Invalid as exc:
        return invalid_messages(exc)
    return []


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def segment_new(request: HttpRequest) -> HttpResponse:
    """Build a new segment from rules, or start a static list."""
    user = current_user(request)
    require_write(user)
    if request.method == "GET":
        kind = request.GET.get("kind", SegmentKind.RULES)
        values = {
            "name": "",
            "description": "",
            "kind": kind if kind in SegmentKind.values else SegmentKind.RULES,
            "rules": json.dumps(EMPTY_RULES),
        }
        return _builder_page(request, segment=None, values=values)
    values = _form_values(request)
    try:
        rules = _rules_from(values) if values["kind"] == SegmentKind.RULES else None
        data = SegmentCreate.model_validate({**values, "rules": rules})
        with transaction.atomic():
            segment = services.create_segment(data, by=user)
    except ValidationError as exc:
        return _builder_page(
            request,
            segment=None,
            values=values,
            status=422,
            errors=_errors_by_field(pydantic_messages(exc) + _rule_problems(values)),
        )
    except Invalid as exc:
        return _builder_page(
            request,
            segment=None,
            values=values,
            status=422,
            errors=_errors_by_field(invalid_messages(exc)),
        )
    messages.success(request, _("Segment “%(name)s” was saved.") % {"name": segment.name})
    return redirect("segments:detail", segment_id=segment.pk)


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def segment_edit(request: HttpRequest, segment_id: int) -> HttpResponse:
    """Change a segment's name, description and rules."""
    user = current_user(request)
    segment = queries.get_segment(segment_id)
    services.require_change(segment, user)
    if request.method == "GET":
        values = {
            "name": segment.name,
            "description": segment.description,
            "kind": segment.kind,
            "rules": json.dumps(segment.rules),
        }
        return _builder_page(request, segment=segment, values=values)
    values = {**_form_values(request), "kind": segment.kind}
    try:
        payload: dict[str, Any] = {"name": values["name"], "description": values["description"]}
        if not segment.is_static:
            payload["rules"] = _rules_from(values)
        data = SegmentUpdate.model_validate(payload)
        with transaction.atomic():
            services.update_segment(segment, data, by=user)
    except ValidationError as exc:
        return _builder_page(
            request,
            segment=segment,
            values=values,
            status=422,
            errors=_errors_by_field(pydantic_messages(exc) + _rule_problems(values)),
        )
    except Invalid as exc:
        return _builder_page(
            request,
            segment=segment,
            values=values,
            status=422,
            errors=_errors_by_field(invalid_messages(exc)),
        )
    messages.success(request, _("Segment “%(name)s” was saved.") % {"name": segment.name})
    return redirect("segments:detail", segment_id=segment.pk)


@require_POST
@login_required
def segment_preview(request: HttpRequest) -> HttpResponse:
    """The live count under the builder: how many parties the posted rules select now."""
    user = current_user(request)
    try:
        rules = _rules_from({"rules": request.POST.get("rules", "")})
        count, first = queries.preview(rules, user, limit=PREVIEW_SIZE)
    except Invalid as exc:
        problems = {"errors": [m for _e, m in _rule_messages(exc)]}
        return render(request, "segments/_preview.html", problems, status=422)
    context = {"count": count, "members": [party_summary(p) for p in first]}
    return render(request, "segments/_preview.html", context)


def _at(error: FieldError, message: str) -> str:
    """A rule's problem with its place in the tree, such as "rules.all.0.value: …"."""
    return _("%(field)s: %(message)s") % {"field": error.field, "message": message}


def _rule_messages(exc: Invalid) -> list[tuple[FieldError, str]]:
    return [(e, _at(e, m)) for e, m in invalid_messages(exc)]


@require_GET
@login_required
@page_errors
def segment_detail(request: HttpRequest, segment_id: int) -> HttpResponse:
    """A segment: its rules in words and its members the user may see, computed now."""
    user = current_user(request)
    segment = queries.get_segment(segment_id)
    catalog = field_catalog()
    rules_error = None
    try:
        parties = queries.members(segment, user)
    except Invalid as exc:
        rules_error = "; ".join(m for _e, m in _rule_messages(exc))
        parties = Party.objects.none()
    parties = queries.with_summary(parties).order_by("display_name", "id")
    page = Paginator(parties, PAGE_SIZE).get_page(request.GET.get("page"))
    kinds = dict(PartyKind.choices)
    roles = dict(RelationshipRole.choices)
    rows = []
    for party in page.object_list:
        row = party_summary(party)
        row["kind_label"] = kinds.get(party.kind, party.kind)
        row["role_labels"] = [roles.get(r, r) for r in row["roles"]]
        rows.append(row)
    context = {
        "segment": segment,
        "rule_lines": [] if segment.is_static else rule_lines(segment.rules, catalog),
        "rules_error": rules_error,
        "page": page,
        "rows": rows,
        "can_change": services.can_change(segment, user),
    }
    return render_page(request, "segments/detail.html", context, fragment="segments/_members.html")


@require_GET
@login_required
def segment_export(request: HttpRequest, segment_id: int) -> HttpResponseBase:
    """The members the user may see, as a CSV file."""
    try:
        segment = queries.get_segment(segment_id)
    except NotFound as exc:  # page_errors is typed for plain responses; same mapping here
        raise Http404(exc.detail) from exc
    try:
        parties = queries.export_members(segment, current_user(request))
    except Forbidden as exc:
        raise PermissionDenied(exc.detail) from exc
    except Invalid:  # checked before the response starts
        messages.error(request, _("The rules of this segment cannot be used as they are."))
        return redirect("segments:detail", segment_id=segment.pk)
    response = StreamingHttpResponse(member_csv(parties), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename(segment)}"'
    return response


@require_POST
@login_required
@page_errors
def segment_delete(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = queries.get_segment(segment_id)
    with transaction.atomic():
        services.delete_segment(segment, by=current_user(request))
    messages.success(request, _("Segment “%(name)s” was deleted.") % {"name": segment.name})
    return redirect("segments:list")


@require_GET
@login_required
@page_errors
def static_candidates(request: HttpRequest, segment_id: int) -> HttpResponse:
    """Parties the user may see that match a search, to put on a static list."""
    segment = queries.get_segment(segment_id)
    q = request.GET.get("q", "").strip()[:200]
    user = current_user(request)
    found = list(search_parties(user, q=q).order_by("display_name", "id")[:CANDIDATES])
    context = {"segment": segment, "candidates": found, "q": q}
    return render(request, "segments/_candidates.html", context)


def _party_id(request: HttpRequest) -> int:
    raw = request.POST.get("party_id", "").strip()
    party_id = id_from_text(raw)
    if party_id is None:
        raise Invalid(
            FieldError("party_id", raw, gettext_lazy("is not a party id"), code="party_id_invalid")
        )
    return party_id


@require_POST
@login_required
@page_errors
def static_add(request: HttpRequest, segment_id: int) -> HttpResponse:
    """Put a party on a static list."""
    segment = queries.get_segment(segment_id)
    try:
        with transaction.atomic():
            created = services.add_static_member(
                segment, _party_id(request), by=current_user(request)
            )
    except (Invalid, NotFound):
        messages.error(request, _("That party could not be added: it is not one you can see."))
    else:
        if created:
            messages.success(request, _("The party was added to the list."))
        else:
            messages.info(request, _("The party was already on the list."))
    return redirect("segments:detail", segment_id=segment.pk)


@require_POST
@login_required
@page_errors
def static_remove(request: HttpRequest, segment_id: int, party_id: int) -> HttpResponse:
    """Take a party off a static list."""
    segment = queries.get_segment(segment_id)
    with transaction.atomic():
        services.remove_static_member(segment, party_id, by=current_user(request))
    messages.success(request, _("The party was taken off the list."))
    return redirect("segments:detail", segment_id=segment.pk)
