"""Party pages: the create/edit form (the list: segments/views/lists.py; the customer 360: web/)."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dates import MONTHS
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError

from clientela.accounts.services import require_write
from clientela.core.errors import Conflict, Invalid
from clientela.core.ids import id_from_text
from clientela.core.pages import invalid_messages, page_errors, pydantic_messages
from clientela.core.requests import current_user
from clientela.parties import forms, queries
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
from clientela.parties.presenters import party_header
from clientela.parties.queries import (
    change_log,
    get_visible_party,
    visible_party_details,
)
from clientela.parties.schemas import PartyCreate, PartyUpdate
from clientela.parties.services import archive_party, create_party, update_party

TIMEZONES = sorted(available_timezones())
# Suggestions for a party's preferred language; any code such as "pt-BR" is accepted.
LANGUAGE_SUGGESTIONS = ("en", "pt", "pt-BR", "es", "it", "fr", "de", "nl", "ca", "pl", "ro")
PAGE_SIZE = 50


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
    if not forms.resolve_organizations(form, user):
        return None
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
    organizations = queries.organization_options(user, include=org_ids)
    texts = _organization_texts(user, organizations, org_ids)
    for row in rows["affiliations"]:
        typed = row.get("organization_id", "")
        row["organization_text"] = texts.get(id_from_text(typed) or 0, typed)
    parent = form.values.get("parent_id", "")
    context = {
        "form": form,
        "party": party,
        "values": form.values,
        "errors": form.errors,
        "rows": rows,
        "list_errors": {name: form.errors.get(name, []) for name in forms.ROW_FIELDS},
        "parent_text": texts.get(id_from_text(parent) or 0, parent),
        "custom_inputs": forms.custom_inputs(form, CustomField.objects.all()),
        "can_assign": user.can_assign,
        "owners": queries.assignable_users() if user.can_assign else [],
        "teams": queries.teams() if user.can_assign else [],
        "organizations": [(texts[o.pk], o) for o in organizations],
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


@require_GET
@login_required
def organization_picker(request: HttpRequest) -> HttpResponse:
    """Options for an organization picker; the picker sends its own field, whatever its name."""
    q = next((str(v) for v in request.GET.values() if str(v).strip()), "")[:200]
    user = current_user(request)
    options = queries.organization_options(user, q=q)
    texts = _organization_texts(user, options, [])
    return render(
        request,
        "parties/_organization_options.html",
        {"organizations": [(texts[o.pk], o) for o in options]},
    )


def _organization_texts(user: Any, options: list[Party], chosen: list[Any]) -> dict[int, str]:
    """How the picker shows each organization offered or chosen, by id: its name (with its
    number only when another visible organization has the same name), never the bare id."""
    names = queries.organization_names(user, chosen)
    names.update((o.pk, o.display_name) for o in options)
    named = forms.organizations_named(user, names.values())
    return {
        pk: forms.organization_text(pk, name, shared=len(named.get(name.lower(), [])) > 1)
        for pk, name in names.items()
    }


# The customer page's panels of this app: web/ composes the page, apps.py registers them.

CHANGES_SHOWN = 20


def identity_panel(request: HttpRequest, party: Party) -> dict[str, Any]:
    """The page's header: name, kind, organizations, roles, tags, owner and team, primary
    e-mail and phone, and the buttons to change it."""
    return {"roles": _role_rows(party), **party_header(party)}


def details_panel(request: HttpRequest, party: Party) -> dict[str, Any]:
    """Owner, team, ids, language, time zone and the custom fields that apply to the party."""
    return {"custom_values": _custom_values(party)}


def roles_panel(request: HttpRequest, party: Party) -> dict[str, Any] | None:
    """The party's relationship roles with their dates; left out when it has none."""
    roles = _role_rows(party)
    return {"roles": roles} if roles else None


def relations_panel(request: HttpRequest, party: Party) -> dict[str, Any]:
    """A person's organizations; an organization's visible people and subsidiaries."""
    if party.is_person:
        return {}
    user = current_user(request)
    return {
        "members": queries.members(user, party),
        "subsidiaries": queries.subsidiaries(user, party),
    }


def notes_panel(request: HttpRequest, party: Party) -> dict[str, Any] | None:
    """The party's notes; left out when there are none."""
    return {} if party.notes else None


def changes_panel(request: HttpRequest, party: Party) -> dict[str, Any]:
    """The latest changes to the party: who changed which field, from what to what."""
    return {"changes": queries.describe_changes(change_log(party)[:CHANGES_SHOWN])}


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
        shown.append({"label": field.shown_label, "value": value})
    return shown


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
