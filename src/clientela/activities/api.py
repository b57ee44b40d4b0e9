"""REST routes for activities: plan, list with filters, read, change, complete, snooze, cancel."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field, field_validator

from clientela.activities import queries, services
from clientela.activities.models import Activity, ActivityKind, ActivityStatus, CallList, ItemStatus
from clientela.activities.presenters import (
    activity_out,
    call_item_out,
    call_list_out,
    my_day_out,
)
from clientela.activities.schemas import (
    ActivityComplete,
    ActivityCreate,
    ActivityOut,
    ActivityPage,
    ActivitySnooze,
    ActivityUpdate,
    CallItemPage,
    CallListCreate,
    CallListOut,
    CallListPage,
    CallOutcomeIn,
    CallResultOut,
    CompletionOut,
    Day,
    MyDayOut,
    MyDayQuery,
    NextCallOut,
    check_due_date,
)
from clientela.core.ids import Id
from clientela.core.openapi import problems
from clientela.core.requests import current_user
from clientela.core.responses import validated_json
from clientela.parties.queries import get_visible_party

router = Router(tags=["activities"])


class ActivityFilters(Schema):
    assignee_id: Id | None = None
    queue_id: Id | None = None
    party_id: Id | None = None
    mine: bool = Field(default=False, description="only yours and your team queue's")
    status: list[ActivityStatus] = Field(default_factory=list)
    kind: list[ActivityKind] = Field(default_factory=list)
    due_from: Day | None = Field(default=None, description="a day in your time zone")
    due_to: Day | None = Field(default=None, description="a day in your time zone, included")
    overdue: bool = False
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=200)

    _due_from = field_validator("due_from")(check_due_date)
    _due_to = field_validator("due_to")(check_due_date)


def _one(request: HttpRequest, activity_id: int) -> Any:
    return queries.get_visible_activity(current_user(request), activity_id)


def _out(activity_id: int) -> dict[str, Any]:
    return activity_out(queries.with_refs(Activity.objects.filter(pk=activity_id)).get())


@router.get(
    "",
    response=ActivityPage,
    summary="List activities, soonest due first",
    openapi_extra=problems(404),
)
def list_activities(request: HttpRequest, filters: Query[ActivityFilters]) -> dict[str, Any]:
    """The activities of the parties you may see, filtered; 404 for a party you may not see."""
    user = current_user(request)
    if filters.party_id is not None:
        get_visible_party(user, filters.party_id)
    rows = queries.search_activities(
        user,
        assignee_id=filters.assignee_id,
        queue_id=filters.queue_id,
        party_id=filters.party_id,
        mine=filters.mine,
        statuses=tuple(filters.status),
        kinds=tuple(filters.kind),
        due_from=filters.due_from,
        due_to=filters.due_to,
        overdue=filters.overdue,
    )
    page = queries.soonest_first_page(
        queries.with_refs(rows), cursor=filters.cursor, limit=filters.limit
    )
    return {**page, "items": [activity_out(a) for a in page["items"]]}


@router.post(
    "",
    response={200: ActivityOut, 201: ActivityOut},
    summary="Plan an activity",
    openapi_extra=problems(403, 404, 409),
)
def create(request: HttpRequest, payload: ActivityCreate) -> Status[dict[str, Any]]:
    """201 when planned now; 200 when its external_id was planned before with the same content."""
    with transaction.atomic():
        activity, created = services.create_activity(payload, by=current_user(request))
    return Status(201 if created else 200, _out(activity.pk))


@router.get(
    "/{activity_id}", response=ActivityOut, summary="Get an activity", openapi_extra=problems(404)
)
def retrieve(request: HttpRequest, activity_id: int) -> dict[str, Any]:
    return activity_out(_one(request, activity_id))


@router.patch(
    "/{activity_id}",
    response=ActivityOut,
    summary="Change a pending activity",
    openapi_extra=problems(403, 404, 409),
)
def update(request: HttpRequest, activity_id: int, payload: ActivityUpdate) -> dict[str, Any]:
    with transaction.atomic():
        activity = services.update_activity(
            _one(request, activity_id), payload, by=current_user(request)
        )
    return _out(activity.pk)


@router.delete(
    "/{activity_id}",
    response={204: None},
    summary="Cancel an activity",
    openapi_extra=problems(403, 404, 409),
)
def cancel(request: HttpRequest, activity_id: int) -> Status[None]:
    """Activities are never removed: this calls it off, and the timeline keeps both steps."""
    with transaction.atomic():
        services.cancel_activity(_one(request, activity_id), by=current_user(request))
    return Status(204, None)


@router.post(
    "/{activity_id}/complete",
    response=CompletionOut,
    summary="Complete an activity",
    openapi_extra=problems(403, 404, 409),
)
def complete(request: HttpRequest, activity_id: int, payload: ActivityComplete) -> dict[str, Any]:
    """Done, with its outcome: logs the matching interaction on the timeline in the same
    transaction, and plans the next occurrence of a recurring activity (`next`)."""
    with transaction.atomic():
        activity, following = services.complete_activity(
            _one(request, activity_id), payload, by=current_user(request)
        )
    return {
        "activity": _out(activity.pk),
        "next": _out(following.pk) if following is not None else None,
    }


@router.post(
    "/{activity_id}/snooze",
    response=ActivityOut,
    summary="Snooze an activity",
    openapi_extra=problems(403, 404, 409),
)
def snooze(request: HttpRequest, activity_id: int, payload: ActivitySnooze) -> dict[str, Any]:
    """Out of the reminders until `until`; it comes back by itself then."""
    with transaction.atomic():
        activity = services.snooze_activity(
            _one(request, activity_id), payload, by=current_user(request)
        )
    return _out(activity.pk)


# My day and call lists: mounted by the shell at /my-day and /call-lists ---------------------

my_day_router = Router(tags=["activities"])
call_lists_router = Router(tags=["activities"])


@my_day_router.get(
    "", response=MyDayOut, summary="My day: today's work and who needs attention",
    openapi_extra=problems(404),
)  # fmt: skip
def my_day(request: HttpRequest, filters: Query[MyDayQuery]) -> HttpResponse:
    """Your overdue and today's activities and the customers that need attention now; a
    manager's answer has the team's workload, and `user_id` gives a team member's day."""
    day = services.my_day(current_user(request), member_id=filters.user_id, day=filters.day)
    # About 130 items: checked against MyDayOut in one pass, not item by item (core.responses).
    return validated_json(MyDayOut, my_day_out(day))


def _counts(call_list: CallList) -> dict[str, int]:
    rows = call_list.items.values("status").annotate(n=Count("pk")).order_by()
    return {r["status"]: r["n"] for r in rows}


@call_lists_router.get(
    "", response=CallListPage, summary="List call lists", openapi_extra=problems()
)
def list_call_lists(request: HttpRequest) -> dict[str, Any]:
    """Your team's call lists, newest first (all of them for those who see every party)."""
    rows = services.visible_call_lists(current_user(request))[:100]
    return {"items": [call_list_out(c, _counts(c)) for c in rows]}


@call_lists_router.post(
    "",
    response={201: CallListOut},
    summary="Build a call list",
    openapi_extra=problems(403, 404, 422),
)
def build(request: HttpRequest, payload: CallListCreate) -> Status[dict[str, Any]]:
    """One call per party the consent gate allows a phone call to, spread across the team by
    workload, each in the customer's calling window; the others are kept with the reason."""
    with transaction.atomic():
        call_list = services.build_call_list(payload, by=current_user(request))
    call_list = services.get_visible_call_list(current_user(request), call_list.pk)
    return Status(201, call_list_out(call_list, _counts(call_list)))


@call_lists_router.get(
    "/{list_id}", response=CallListOut, summary="Get a call list", openapi_extra=problems(404)
)
def retrieve_call_list(request: HttpRequest, list_id: int) -> dict[str, Any]:
    call_list = services.get_visible_call_list(current_user(request), list_id)
    return call_list_out(call_list, _counts(call_list))


class ItemFilters(Schema):
    mine: bool = Field(default=False, description="only the calls given to you")
    status: list[ItemStatus] = Field(default_factory=list)
    limit: int = Field(default=200, ge=1, le=1000)
    offset: int = Field(default=0, ge=0, le=100_000)


@call_lists_router.get(
    "/{list_id}/items",
    response=CallItemPage,
    summary="The calls of a call list",
    openapi_extra=problems(404),
)
def list_items(request: HttpRequest, list_id: int, filters: Query[ItemFilters]) -> dict[str, Any]:
    user = current_user(request)
    rows = services.visible_items(user, services.get_visible_call_list(user, list_id))
    if filters.mine:
        rows = rows.filter(assignee=user)
    if filters.status:
        rows = rows.filter(status__in=filters.status)
    page = rows.order_by("window_start", "id")[filters.offset : filters.offset + filters.limit]
    return {"items": [call_item_out(i) for i in page]}


@call_lists_router.post(
    "/{list_id}/next",
    response=NextCallOut,
    summary="Your next call",
    openapi_extra=problems(403, 404),
)
def next_call(request: HttpRequest, list_id: int) -> dict[str, Any]:
    """Your next call of the list, checked against the consent gate now: calls it refuses for
    good are skipped (in `skipped`, with the reason) on the way. A POST: skipping writes."""
    user = current_user(request)
    with transaction.atomic():
        found = services.next_call(services.get_visible_call_list(user, list_id), user)
    return {
        "item": call_item_out(found.item) if found.item is not None else None,
        "skipped": [call_item_out(i) for i in found.skipped],
    }


@call_lists_router.post(
    "/{list_id}/items/{item_id}/outcome",
    response=CallResultOut,
    summary="Record how a call went",
    openapi_extra=problems(403, 404, 409, 422),
)
def record_outcome(
    request: HttpRequest, list_id: int, item_id: int, payload: CallOutcomeIn
) -> dict[str, Any]:
    """reached, no_answer (another attempt until the list's limit), call_back (with
    call_back_at), wrong_number, refused (an objection to phone contact is recorded). A party
    the gate no longer allows a call to is skipped: the item comes back `skipped`, with the
    reason, and nothing is logged."""
    user = current_user(request)
    item = services.get_visible_item(user, item_id)
    if item.call_list_id != list_id:
        services.get_visible_call_list(user, -1)  # the same 404 as any unknown list
    with transaction.atomic():
        result = services.record_call(item.party, payload, by=user, item=item)
    done = services.get_visible_item(user, item_id)
    return {
        "item": call_item_out(done),
        "interaction_id": result.interaction.pk if result.interaction else None,
        "follow_up": _out(result.follow_up.pk) if result.follow_up else None,
    }
