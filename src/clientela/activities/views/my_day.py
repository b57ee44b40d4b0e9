"""My day: the page, its one-click actions (log a call, schedule a follow-up, snooze, via
htmx; whole-page posts without JavaScript), and the call page a rep records a call on."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_time
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pydantic import ValidationError

from clientela.accounts.models import User
from clientela.activities import queries, services
from clientela.activities.models import ActivityKind, CallListItem, CallOutcome
from clientela.activities.presenters import ATTENTION_LABELS, row, window_label
from clientela.activities.schemas import ActivityCreate, ActivitySnooze, CallOutcomeIn
from clientela.activities.services.calls import CallResult, personal_call_warning
from clientela.activities.services.windows import calling_rules
from clientela.analytics.models import CustomerMetrics
from clientela.core.errors import Conflict, Invalid, NotFound
from clientela.core.htmx import htmx
from clientela.core.ids import id_from_text
from clientela.core.pages import page_errors
from clientela.core.requests import current_user
from clientela.core.validation import field_errors
from clientela.interactions.models import Interaction
from clientela.parties.models import ContactKind, Party
from clientela.parties.queries import get_visible_party

SNOOZE_DAYS = 7


def _day(text: str | None) -> date | None:
    day = parse_date(text or "") if text else None
    return day if day is not None and date(1900, 1, 1) <= day <= date(2200, 12, 31) else None


@require_GET
@login_required
@page_errors
def my_day(request: HttpRequest) -> HttpResponse:
    """The user's (or a team member's) day: activities, customers needing attention, team."""
    user = current_user(request)
    day = services.my_day(
        user, member_id=id_from_text(request.GET.get("member")), day=_day(request.GET.get("day"))
    )
    now = timezone.now()
    context = {
        "day": day,
        "overdue": [row(a, now) for a in day.overdue],
        "due": [row(a, now) for a in day.today],
        "attention": [
            {"entry": a, "label": ATTENTION_LABELS.get(a.why, a.why)} for a in day.attention
        ],
        "previous_day": day.day - timedelta(days=1),
        "next_day": day.day + timedelta(days=1),
        "member_query": f"&member={day.user.pk}" if day.user != user else "",
        "is_own": day.user == user,
        "call_lists": services.visible_call_lists(user)[:5],
    }
    return render(request, "activities/my_day.html", context)


def _done(request: HttpRequest, text: str, *, status: int = 200) -> HttpResponse:
    """An htmx action's answer (the entry, replaced by what was done), or back to My day."""
    if htmx(request):
        return render(request, "activities/_my_day_done.html", {"text": text}, status=status)
    if status >= 400:
        messages.error(request, text)
    else:
        messages.success(request, text)
    return redirect("activities:my_day")


def _party(request: HttpRequest, user: User) -> Party:
    party_id = id_from_text(request.POST.get("party_id"))
    if party_id is None:
        raise NotFound(gettext("No such party."), code="party_not_found")
    return get_visible_party(user, party_id)


def _next_working_day(user: User) -> date:
    rules = calling_rules()
    day = timezone.now().astimezone(queries.user_zone(user)).date() + timedelta(days=1)
    while day.weekday() not in rules.weekdays:
        day += timedelta(days=1)
    return day


@require_POST
@login_required
@page_errors
def log_call(request: HttpRequest) -> HttpResponse:
    """One click: a call with this customer just happened (reached); logs it."""
    user = current_user(request)
    party = _party(request, user)
    with transaction.atomic():
        services.record_call(party, CallOutcomeIn(outcome=CallOutcome.REACHED), by=user)
    return _done(request, gettext("Call with %(name)s logged.") % {"name": party.display_name})


@require_POST
@login_required
@page_errors
def follow_up(request: HttpRequest) -> HttpResponse:
    """One click: a follow-up call with this customer on the next working day."""
    user = current_user(request)
    party = _party(request, user)
    due = _next_working_day(user)
    data = ActivityCreate(
        party_id=party.pk,
        kind=ActivityKind.CALL,
        title=gettext("Follow up with %(name)s") % {"name": party.display_name},
        due_date=due,
    )
    with transaction.atomic():
        services.create_activity(data, by=user)
    return _done(
        request,
        gettext("Follow-up with %(name)s planned for %(day)s.")
        % {"name": party.display_name, "day": due.isoformat()},
    )


@require_POST
@login_required
@page_errors
def snooze(request: HttpRequest) -> HttpResponse:
    """One click: an activity until tomorrow morning, or a customer off the list for a week."""
    user = current_user(request)
    activity_id = id_from_text(request.POST.get("activity_id"))
    if activity_id is not None:
        activity = queries.get_visible_activity(user, activity_id)
        tomorrow = _next_working_day(user)
        until = datetime(
            tomorrow.year, tomorrow.month, tomorrow.day, 9, tzinfo=queries.user_zone(user)
        )
        try:
            with transaction.atomic():
                services.snooze_activity(activity, ActivitySnooze(until=until), by=user)
        except Conflict as exc:
            return _done(request, exc.detail, status=409)
        return _done(request, gettext("Snoozed until %(day)s 09:00.") % {"day": tomorrow})
    party = _party(request, user)
    until_day = timezone.now().astimezone(queries.user_zone(user)).date() + timedelta(
        days=SNOOZE_DAYS
    )
    with transaction.atomic():
        services.snooze_attention(party.pk, until_day, by=user)
    return _done(
        request,
        gettext("%(name)s is off your list until %(day)s.")
        % {"name": party.display_name, "day": until_day.isoformat()},
    )


def _summary(party: Party) -> dict[str, Any]:
    """What the caller reads beside the call: numbers, value and the last contacts."""
    return {
        "phones": [p for p in party.contact_points.all() if p.kind == ContactKind.PHONE],
        "metrics": CustomerMetrics.objects.filter(party=party).first(),
        "recent": list(Interaction.objects.filter(party=party).order_by("-occurred_at", "-id")[:5]),
        "warning": personal_call_warning(party),
    }


def _outcome_input(post: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"outcome": post.get("outcome", ""), "notes": post.get("notes", "")}
    day, moment = (
        parse_date(post.get("call_back_day") or ""),
        parse_time(post.get("call_back_time") or ""),
    )
    if post.get("outcome") == CallOutcome.CALL_BACK and day and moment:
        values["call_back_at"] = datetime.combine(day, moment)
    return values


def record_outcome_form(
    request: HttpRequest, party: Party, item: CallListItem | None
) -> tuple[CallResult | None, dict[str, list[str]]]:
    """Record the posted outcome; the result, or the errors by field."""
    user = current_user(request)
    try:
        data = CallOutcomeIn.model_validate(_outcome_input(request.POST))
        with transaction.atomic():
            return services.record_call(party, data, by=user, item=item), {}
    except ValidationError as exc:
        errors = Invalid(field_errors(exc))
    except (Invalid, Conflict) as exc:
        errors = exc if isinstance(exc, Invalid) else Invalid([], exc.message, params=exc.params)
    found: dict[str, list[str]] = {}
    for error in errors.errors:
        field = error.field if error.field not in ("", "body") else "outcome"
        found.setdefault(field, []).append(error.text())
    if not errors.errors:
        found["outcome"] = [errors.detail]
    return None, found


@require_http_methods(["GET", "POST"])
@login_required
@page_errors
def call(request: HttpRequest, party_id: int) -> HttpResponse:
    """Call a customer (from My day): their summary beside the outcome form."""
    user = current_user(request)
    party = get_visible_party(user, party_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        result, errors = record_outcome_form(request, party, None)
        if result is not None:
            messages.success(request, gettext("The call was recorded."))
            return redirect(reverse("activities:my_day"))
    context = {
        "party": party,
        "summary": _summary(party),
        "outcomes": CallOutcome.choices,
        "errors": errors,
        "values": request.POST,
        "action": reverse("activities:call", args=[party.pk]),
        "back": reverse("activities:my_day"),
    }
    return render(request, "activities/call.html", context, status=422 if errors else 200)


def item_call_context(request: HttpRequest, item: CallListItem) -> dict[str, Any]:
    """The call page of a call list's item: its script and calling window too."""
    return {
        "party": item.party,
        "item": item,
        "call_list": item.call_list,
        "window": window_label(item, current_user(request)),
        "summary": _summary(item.party),
        "outcomes": CallOutcome.choices,
        "action": reverse("activities:call_item", args=[item.pk]),
        "back": reverse("activities:call_list", args=[item.call_list_id]),
    }
