"""The activity list, and the forms that plan, change, complete and cancel one.

The party page's panel posts its forms with htmx and gets the panel back; without JavaScript
the same forms post whole pages and redirect.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.accounts.models import User
from clientela.accounts.services import require_write
from clientela.activities import queries, services
from clientela.activities.forms import (
    ACTIVITY_FIELDS,
    COMPLETION_FIELDS,
    activity_input,
    posted,
    service_errors,
    validate,
)
from clientela.activities.models import Activity, ActivityKind, ActivityStatus
from clientela.activities.presenters import (
    activity_form,
    activity_values,
    completion_form,
    panel_context,
    row,
)
from clientela.activities.schemas import ActivityComplete, ActivityCreate, ActivityUpdate
from clientela.core.errors import Conflict, Invalid, NotFound
from clientela.core.htmx import htmx, render_page
from clientela.core.ids import id_from_text
from clientela.core.pages import page_errors
from clientela.core.requests import current_user
from clientela.parties.models import Party
from clientela.parties.queries import get_visible_party

PAGE_SIZE = 50
VIEWS = ("mine", "overdue", "all")


@require_GET
@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    """Activities with filters: yours (default), overdue, or all you may see; status, kind."""
    user = current_user(request)
    view = request.GET.get("view", "mine")
    view = view if view in VIEWS else "mine"
    status = [s for s in request.GET.getlist("status") if s in ActivityStatus.values]
    kind = [k for k in request.GET.getlist("kind") if k in ActivityKind.values]
    if not status and "status" not in request.GET:
        status = [ActivityStatus.OPEN, ActivityStatus.SNOOZED]
    rows = queries.search_activities(
        user,
        mine=view == "mine",
        overdue=view == "overdue",
        statuses=tuple(status),
        kinds=tuple(kind),
    )
    page = Paginator(queries.with_refs(rows), PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {"view": view, "status": status, "kind": kind}
    query = urlencode(
        [("view", view)] + [("status", s) for s in status] + [("kind", k) for k in kind]
    )
    context = {
        "page": page,
        "rows": [row(a) for a in page.object_list],
        "filters": filters,
        "query": query,
        "views": [
            ("mine", gettext("Mine and my team's")),
            ("overdue", gettext("Overdue")),
            ("all", gettext("All I may see")),
        ],
        "statuses": ActivityStatus.choices,
        "kinds": ActivityKind.choices,
    }
    return render_page(request, "activities/list.html", context, fragment="activities/_rows.html")


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _party_url(party_id: int) -> str:
    return reverse("parties:detail", args=[party_id]) + "#activities"


def _form_page(request: HttpRequest, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    """The whole-page activity form, keeping where to go back to."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    return render(request, "activities/form.html", {**context, "next": back}, status=status)


def _panel(request: HttpRequest, party: Party, *, status: int = 200, **extra: Any) -> HttpResponse:
    """The party page's panel alone, for an htmx answer."""
    context = {
        "party": party,
        "can_write": True,
        **panel_context(current_user(request), party, **extra),
    }
    return render(request, "activities/_party_panel.html", context, status=status)


def _plan(
    user: User, values: dict[str, str], party: Party
) -> tuple[Activity | None, dict[str, list[str]]]:
    data, errors = validate(ActivityCreate, {"party_id": party.pk, **activity_input(values)})
    if errors:
        return None, errors
    try:
        with transaction.atomic():
            activity, _created = services.create_activity(data, by=user)
    except Invalid as exc:
        return None, service_errors(exc)
    return activity, {}


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def activity_new(request: HttpRequest) -> HttpResponse:
    """Plan an activity with a party (the party page's "schedule a follow-up")."""
    user = current_user(request)
    party_id = id_from_text(request.POST.get("party_id") or request.GET.get("party"))
    if party_id is None:
        raise NotFound(_("No such party."), code="party_not_found")
    party = get_visible_party(user, party_id)
    require_write(user)
    if request.method == "GET":
        return _form_page(request, {"party": party, "form": activity_form(user)})
    values = posted(request.POST, ACTIVITY_FIELDS)
    activity, errors = _plan(user, values, party)
    if htmx(request):
        if activity is None:
            return _panel(request, party, status=422, form=activity_form(user, values, errors))
        return _panel(request, party, status=201, saved=True)
    if activity is None:
        context = {"party": party, "form": activity_form(user, values, errors)}
        return _form_page(request, context, status=422)
    messages.success(request, gettext("The activity was planned."))
    return redirect(_next_url(request, _party_url(party.pk)))


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def activity_edit(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Change a pending activity."""
    user = current_user(request)
    activity = queries.get_visible_activity(user, activity_id)
    require_write(user)
    if request.method == "GET":
        form = activity_form(user, activity_values(activity))
        return _form_page(request, {"party": activity.party, "activity": activity, "form": form})
    values = posted(request.POST, ACTIVITY_FIELDS)
    data, errors = validate(ActivityUpdate, activity_input(values, partial=True))
    if not errors:
        try:
            with transaction.atomic():
                services.update_activity(activity, data, by=user)
        except (Invalid, Conflict) as exc:
            errors = service_errors(exc)
    if errors:
        context = {
            "party": activity.party,
            "activity": activity,
            "form": activity_form(user, values, errors),
        }
        return _form_page(request, context, status=422)
    messages.success(request, gettext("The activity was changed."))
    return redirect(_next_url(request, _party_url(activity.party_id)))


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def activity_complete(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Record how a pending activity went: it logs the interaction on the timeline."""
    user = current_user(request)
    activity = queries.get_visible_activity(user, activity_id)
    require_write(user)
    context: dict[str, Any] = {"party": activity.party, "activity": activity}
    if request.method == "GET":
        context["form"] = completion_form(activity)
        return render_page(
            request, "activities/complete.html", context, fragment="activities/_complete_form.html"
        )
    values = posted(request.POST, COMPLETION_FIELDS)
    data, errors = validate(
        ActivityComplete, {k: v for k, v in values.items() if v or k in ("outcome", "notes")}
    )
    if not errors:
        try:
            with transaction.atomic():
                services.complete_activity(activity, data, by=user)
        except (Invalid, Conflict) as exc:
            errors = service_errors(exc)
    if errors:
        context["form"] = completion_form(activity, values, errors)
        template = "activities/_complete_form.html" if htmx(request) else "activities/complete.html"
        return render(request, template, context, status=422)
    if htmx(request):
        return _panel(request, activity.party, saved=True)
    messages.success(request, gettext("The activity is done and the contact was logged."))
    return redirect(_next_url(request, _party_url(activity.party_id)))


@require_POST
@login_required
@page_errors
def activity_cancel(request: HttpRequest, activity_id: int) -> HttpResponse:
    """Call off a pending activity."""
    user = current_user(request)
    activity = queries.get_visible_activity(user, activity_id)
    try:
        with transaction.atomic():
            services.cancel_activity(activity, by=user)
    except Conflict as exc:
        messages.error(request, exc.detail)
    if htmx(request):
        return _panel(request, activity.party)
    messages.success(request, gettext("The activity was cancelled."))
    return redirect(_next_url(request, _party_url(activity.party_id)))
