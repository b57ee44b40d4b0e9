"""Call list pages: the lists, building one, a list's progress, and working through it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError

from clientela.accounts.models import Team
from clientela.accounts.services import require_write
from clientela.activities import services
from clientela.activities.models import ItemReason, ItemStatus
from clientela.activities.schemas import CallListCreate
from clientela.activities.services.calls import OPEN_ITEMS
from clientela.activities.views.my_day import item_call_context, record_outcome_form
from clientela.consent.models import CONTACT_PURPOSES, Purpose
from clientela.core.errors import Invalid, NotFound
from clientela.core.pages import page_errors
from clientela.core.requests import current_user
from clientela.core.validation import field_errors
from clientela.segments.queries import list_segments

ITEMS_SHOWN = 200
FORM_FIELDS = ("name", "team_id", "purpose", "starts_on", "ends_on", "script", "max_attempts",
               "segment_id", "party_ids")  # fmt: skip


@require_GET
@login_required
def call_lists(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    rows = services.visible_call_lists(user).annotate(
        calls=Count("items"),
        open=Count("items", filter=Q(items__status__in=OPEN_ITEMS)),
    )[:100]
    return render(request, "activities/call_lists.html", {"call_lists": rows})


def _form_context(
    user: Any, values: dict[str, Any], errors: dict[str, list[str]]
) -> dict[str, Any]:
    teams = (
        Team.objects.order_by("name") if user.can_assign else Team.objects.filter(pk=user.team_id)
    )
    return {
        "values": values,
        "errors": errors,
        "teams": teams,
        "purposes": [(p, Purpose(p).label) for p in CONTACT_PURPOSES],
        "segments": list_segments()[:200],
    }


def _input(post: Any) -> dict[str, Any]:
    values: dict[str, Any] = {k: post.get(k, "") for k in FORM_FIELDS}
    data = {k: v for k, v in values.items() if v not in ("", None)}
    if "party_ids" in data:
        data["party_ids"] = [p for p in data["party_ids"].replace(",", " ").split() if p]
    return data


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def call_list_new(request: HttpRequest) -> HttpResponse:
    """Build a call list from a segment or a list of party ids."""
    user = current_user(request)
    require_write(user)
    if request.method == "GET":
        values = {"team_id": str(user.team_id or ""), "max_attempts": "3",
                  "segment_id": request.GET.get("segment", "")}  # fmt: skip
        return render(request, "activities/call_list_form.html", _form_context(user, values, {}))
    errors: dict[str, list[str]] = {}
    try:
        data = CallListCreate.model_validate(_input(request.POST))
        with transaction.atomic():
            built = services.build_call_list(data, by=user)
    except ValidationError as exc:
        errors = _errors(Invalid(field_errors(exc)))
    except (Invalid, NotFound) as exc:
        errors = _errors(exc)
    if errors:
        context = _form_context(user, dict(request.POST.items()), errors)
        return render(request, "activities/call_list_form.html", context, status=422)
    messages.success(request, gettext("The call list was built."))
    return redirect("activities:call_list", list_id=built.pk)


def _errors(exc: Invalid | NotFound) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for error in getattr(exc, "errors", []):
        field = error.field if error.field not in ("", "body") else "form"
        found.setdefault(field, []).append(error.text())
    if not found:
        found["form"] = [exc.detail]
    return found


@require_GET
@login_required
@page_errors
def call_list(request: HttpRequest, list_id: int) -> HttpResponse:
    """A call list's progress: counts, the calls of each caller, those left out and why."""
    user = current_user(request)
    found = services.get_visible_call_list(user, list_id)
    items = services.visible_items(user, found)
    counts = dict(items.values_list("status").annotate(n=Count("pk")).order_by())
    callers = (
        items.exclude(assignee=None)
        .values("assignee__email", "assignee__full_name")
        .annotate(calls=Count("pk"), open=Count("pk", filter=Q(
            status__in=OPEN_ITEMS)))
        .order_by("assignee__email")
    )  # fmt: skip
    context = {
        "call_list": found,
        "counts": [(label, counts.get(value, 0)) for value, label in ItemStatus.choices],
        "callers": callers,
        "items": items.order_by("window_start", "id")[:ITEMS_SHOWN],
        "mine": items.filter(assignee=user, status__in=OPEN_ITEMS).count(),
        "reasons": dict(ItemReason.choices),
    }
    return render(request, "activities/call_list.html", context)


@require_POST
@login_required
@page_errors
def call_list_next(request: HttpRequest, list_id: int) -> HttpResponse:
    """Go to your next call; calls the consent gate now refuses are skipped, and you are told."""
    user = current_user(request)
    found = services.get_visible_call_list(user, list_id)
    require_write(user)
    with transaction.atomic():
        nxt = services.next_call(found, user)
    for item in nxt.skipped:
        messages.warning(
            request,
            gettext("%(name)s was skipped: %(reason)s")
            % {"name": item.party.display_name, "reason": ItemReason(item.reason).label},
        )
    if nxt.item is None:
        messages.info(request, gettext("You have no more calls on this list now."))
        return redirect("activities:call_list", list_id=found.pk)
    return redirect("activities:call_item", item_id=nxt.item.pk)


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def call_item(request: HttpRequest, item_id: int) -> HttpResponse:
    """One call of a list: the script and the customer's summary beside the outcome form."""
    user = current_user(request)
    item = services.get_visible_item(user, item_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        result, errors = record_outcome_form(request, item.party, item)
        if result is not None:
            if result.skipped:
                messages.warning(
                    request,
                    gettext("%(name)s was skipped: %(reason)s")
                    % {"name": item.party.display_name, "reason": ItemReason(result.skipped).label},
                )
            else:
                messages.success(request, gettext("The call was recorded."))
            return redirect("activities:call_list", list_id=item.call_list_id)
    context = {**item_call_context(request, item), "errors": errors, "values": request.POST}
    return render(request, "activities/call.html", context, status=422 if errors else 200)
