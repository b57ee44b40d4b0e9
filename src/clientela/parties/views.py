"""Party pages: the list with live search, the create/edit form, the customer 360 page."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dates import MONTHS
from django.utils.http import urlencode
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError

from clientela.accounts.models import User
from clientela.accounts.services import require_write
from clientela.commerce.services import purchase_summary
from clientela.core.errors import Conflict, Invalid, NotFound
from clientela.core.htmx import render_page
from clientela.core.pages import invalid_messages, page_errors, pydantic_messages
from clientela.core.requests import current_user
from clientela.core.timeline import SOURCES
from clientela.dedupe.services import merged_into
from clientela.interactions.presenters import KIND_LABELS, channel_filter_choices, timeline_rows
from clientela.interactions.services import timeline
from clientela.interactions.views import empty_log_form
from clientela.parties import forms, queries
from clientela.parties.api import PartyFilters
from clientela.parties.models import (
    ContactKind,
    CustomField,
    CustomFieldType,
    KeyDateKind,
    OrganizationLevel,
    Party,
    PartyKind,
    RelationshipRole,
)
from clientela.parties.presenters import party_summary
from clientela.parties.queries import (
    change_log,
    get_visible_party,
    search_parties,
    visible_party_details,
)
from clientela.parties.schemas import PartyCreate, PartyUpdate
from clientela.parties.services import archive_party, create_party, update_party

TIMEZONES = sorted(available_timezones())
# Suggestions for a party's preferred language; any code such as "pt-BR" is accepted.
LANGUAGE_SUGGESTIONS = ("en", "pt", "pt-BR", "es", "it", "fr", "de", "nl", "ca", "pl", "ro")
PAGE_SIZE = 50
CHANGES_SHOWN = 20
TIMELINE_PAGE = 25


def _user(request: HttpRequest) -> User:
    """The customer-360 views' name for current_user; it leaves with them (to web/)."""
    return current_user(request)


@require_GET
@login_required
def party_list(request: HttpRequest) -> HttpResponse:
    """All visible parties, searched and filtered; htmx gets only the rows."""
    user = current_user(request)
    raw = {k: request.GET.get(k, "").strip() for k in ("q", "kind", "role", "tag", "owner", "team")}
    filter_errors: dict[str, list[str]] = {}
    try:
        filters = PartyFilters.model_validate(
            {
                "q": raw["q"],
                "kind": raw["kind"] or None,
                "role": raw["role"] or None,
                "tag": raw["tag"],
                "owner_id": raw["owner"] or None,
                "team_id": raw["team"] or None,
            }
        )
    except ValidationError as exc:
        for error, message in pydantic_messages(exc):
            name = error.field.removesuffix("_id")
            filter_errors.setdefault(name, []).append(message)
        filters = PartyFilters()
    parties = (
        search_parties(
            user,
            q=filters.q,
            kind=filters.kind or "",
            role=filters.role or "",
            tag=filters.tag,
            owner_id=filters.owner_id,
            team_id=filters.team_id,
        )
        .select_related("owner", "team")
        .prefetch_related("roles", "tags", "contact_points")
        .order_by("display_name", "id")
    )
    page = Paginator(parties, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in raw.items() if v}
    context = {
        "page": page,
        "rows": [_list_row(p) for p in page.object_list],
        "filters": raw,
        "filter_errors": filter_errors,
        "is_filtered": bool(query),
        "query": urlencode(query),
        "kinds": PartyKind.choices,
        "roles": RelationshipRole.choices,
        "owners": queries.assignable_users(),
        "teams": queries.teams(),
        "tags": queries.tag_names(),
    }
    return render_page(request, "parties/list.html", context, fragment="parties/_rows.html")


def _list_row(party: Party) -> dict[str, Any]:
    summary = party_summary(party)
    labels = dict(RelationshipRole.choices)
    summary["role_labels"] = [labels.get(r, r) for r in summary["roles"]]
    summary["kind_label"] = PartyKind(party.kind).label
    return summary


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def party_new(request: HttpRequest) -> HttpResponse:
    """Create a person or an organization; errors come back next to their fields."""
    user = current_user(request)
    require_write(user)
    kind = request.POST.get("kind") or request.GET.get("kind") or PartyKind.PERSON
    if kind not in PartyKind.values:
        kind = PartyKind.PERSON
    if request.method == "GET":
        return _form_page(request, forms.empty_form(kind), party=None)
    form = forms.read_form(request.POST, kind=kind)
    party = _save(request, form, party=None)
    if party is None:
        return _form_page(request, form, party=None, status=422)
    messages.success(request, _("%(name)s was created.") % {"name": party.display_name})
    return redirect("parties:detail", party_id=party.pk)


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def party_edit(request: HttpRequest, party_id: int) -> HttpResponse:
    """Change a party the user may see; only what the form shows is sent."""
    user = current_user(request)
    party = visible_party_details(user, party_id)
    require_write(user)
    if request.method == "GET":
        return _form_page(request, forms.initial_form(party), party=party)
    form = forms.read_form(request.POST, kind=party.kind)
    saved = _save(request, form, party=party)
    if saved is None:
        return _form_page(request, form, party=party, status=422)
    messages.success(request, _("Changes to %(name)s were saved.") % {"name": saved.display_name})
    return redirect("parties:detail", party_id=party.pk)


def _save(request: HttpRequest, form: forms.PartyForm, *, party: Party | None) -> Party | None:
    """Validate with the API's schema and save with its service; None when there were errors."""
    user = current_user(request)
    data = forms.payload(
        form,
        can_assign=user.can_assign,
        custom_fields=CustomField.objects.all(),
        creating=party is None,
    )
    try:
        with transaction.atomic():
            if party is None:
                return create_party(PartyCreate.model_validate(data), by=user)
            return update_party(party, PartyUpdate.model_validate(data), by=user)
    except ValidationError as exc:
        form.add_errors(pydantic_messages(exc))
    except (Invalid, Conflict) as exc:  # Conflict: an e-mail or phone already used
        form.add_errors(invalid_messages(exc))
    return None


def _form_page(
    request: HttpRequest, form: forms.PartyForm, *, party: Party | None, status: int = 200
) -> HttpResponse:
    user = current_user(request)
    rows = {name: form.rows_with_errors(name) for name in forms.ROW_FIELDS}
    org_ids = [r.get("organization_id") for r in rows["affiliations"]]
    org_ids.append(form.values.get("parent_id"))
    org_names = queries.organization_names(user, org_ids)
    for row in rows["affiliations"]:
        row["organization_name"] = org_names.get(_int(row.get("organization_id")) or 0, "")
    context = {
        "form": form,
        "party": party,
        "values": form.values,
        "errors": form.errors,
        "rows": rows,
        "list_errors": {name: form.errors.get(name, []) for name in forms.ROW_FIELDS},
        "parent_name": org_names.get(_int(form.values.get("parent_id")) or 0, ""),
        "custom_inputs": forms.custom_inputs(form, CustomField.objects.all()),
        "can_assign": user.can_assign,
        "owners": queries.assignable_users() if user.can_assign else [],
        "teams": queries.teams() if user.can_assign else [],
        "organizations": queries.organization_options(user, include=org_ids),
        "levels": OrganizationLevel.choices,
        "kinds": PartyKind.choices,
        "contact_kinds": ContactKind.choices,
        "relationship_roles": RelationshipRole.choices,
        "key_date_kinds": KeyDateKind.choices,
        "month_names": [(n, MONTHS[n]) for n in range(1, 13)],
        "blank_row": {"index": "__prefix__", "errors": {}, "row_errors": []},
        "language_options": _language_options(),
        "timezones": TIMEZONES,
    }
    return render(request, "parties/form.html", context, status=status)


def _language_options() -> list[tuple[str, str]]:
    options = []
    for code in LANGUAGE_SUGGESTIONS:
        try:
            options.append((code, get_language_info(code)["name_translated"]))
        except KeyError:
            options.append((code, code))
    return options


def _int(value: Any) -> int | None:
    return int(value) if str(value or "").isdigit() else None


@require_GET
@login_required
def organization_picker(request: HttpRequest) -> HttpResponse:
    """Options for an organization picker; the picker sends its own field, whatever its name."""
    q = next((str(v) for v in request.GET.values() if str(v).strip()), "")[:200]
    options = queries.organization_options(current_user(request), q=q)
    return render(request, "parties/_organization_options.html", {"organizations": options})


@require_GET
@login_required
@page_errors
def party_detail(request: HttpRequest, party_id: int) -> HttpResponse:
    """The customer 360: identity, contacts, relations, value, changes and the timeline."""
    user = _user(request)
    try:
        party = visible_party_details(user, party_id)
    except NotFound:
        # A merged party's old address (bookmarks, links in mail) leads to its survivor.
        survivor = merged_into(party_id)
        if survivor is None:
            raise
        get_visible_party(user, survivor)
        return redirect("parties:detail", party_id=survivor)
    context = {
        "party": party,
        "can_write": user.can_write,
        "roles": _role_rows(party),
        "custom_values": _custom_values(party),
        "summary": purchase_summary(party),
        "changes": queries.describe_changes(change_log(party)[:CHANGES_SHOWN]),
        "members": queries.members(user, party) if not party.is_person else [],
        "subsidiaries": queries.subsidiaries(user, party) if not party.is_person else [],
        "log": empty_log_form(),
        **_timeline_context(request, party),
    }
    return render(request, "parties/detail.html", context)


def _role_rows(party: Party) -> list[dict[str, Any]]:
    labels = dict(RelationshipRole.choices)
    return [{"role": r, "label": labels.get(r.role, r.role)} for r in party.roles.all()]


def _custom_values(party: Party) -> list[dict[str, Any]]:
    shown = []
    for field in CustomField.objects.all():
        if field.applies_to and field.applies_to != party.kind:
            continue
        value = party.custom.get(field.key)
        if field.type == CustomFieldType.BOOLEAN and value is not None:
            value = _("Yes") if value else _("No")
        shown.append({"label": field.label, "value": value})
    return shown


def _timeline_context(request: HttpRequest, party: Party) -> dict[str, Any]:
    kinds = [k for k in request.GET.getlist("kind") if k in SOURCES]
    channels = [c for c in request.GET.getlist("channel") if c][:20]
    cursor = request.GET.get("cursor") or None
    try:
        entries, next_cursor = timeline(
            party,
            kinds=frozenset(kinds),
            channels=frozenset(channels),
            cursor=cursor,
            limit=TIMELINE_PAGE,
        )
    except Invalid:
        entries, next_cursor = timeline(party, limit=TIMELINE_PAGE)  # a stale cursor: start over
    filters = urlencode([("kind", k) for k in kinds] + [("channel", c) for c in channels])
    more = urlencode([("cursor", next_cursor)]) if next_cursor else ""
    return {
        "entries": timeline_rows(entries),
        "next_cursor": next_cursor,
        "timeline_filters": {"kind": kinds, "channel": channels},
        "timeline_kinds": [(k, KIND_LABELS.get(k, k)) for k in sorted(SOURCES)],
        "timeline_channels": channel_filter_choices(),
        "more_query": "&".join(p for p in (filters, more) if p),
        "timeline_url": reverse("parties:timeline", args=[party.pk]),
    }


@require_GET
@login_required
@page_errors
def party_timeline(request: HttpRequest, party_id: int) -> HttpResponse:
    """The timeline alone (htmx): filtered, or the next page after a cursor."""
    party = get_visible_party(_user(request), party_id)
    if not request.htmx:  # type: ignore[attr-defined]
        query = request.GET.urlencode()
        url = reverse("parties:detail", args=[party.pk])
        return redirect(f"{url}?{query}#timeline" if query else f"{url}#timeline")
    context = {"party": party, **_timeline_context(request, party)}
    template = "interactions/_timeline_page.html" if request.GET.get("cursor") else None
    return render(request, template or "interactions/_timeline.html", context)


@require_POST
@login_required
@page_errors
def party_archive(request: HttpRequest, party_id: int) -> HttpResponse:
    """Hide a party from lists; its history stays."""
    user = current_user(request)
    party = get_visible_party(user, party_id)
    require_write(user)
    with transaction.atomic():
        archive_party(party, by=user)
    messages.success(request, _("%(name)s was archived.") % {"name": party.display_name})
    return redirect("parties:list")
