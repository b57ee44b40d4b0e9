"""REST routes for activities: plan, list with filters, read, change, complete, snooze, cancel."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field, field_validator

from clientela.activities import queries, services
from clientela.activities.models import Activity, ActivityKind, ActivityStatus
from clientela.activities.presenters import activity_out
from clientela.activities.schemas import (
    ActivityComplete,
    ActivityCreate,
    ActivityOut,
    ActivityPage,
    ActivitySnooze,
    ActivityUpdate,
    CompletionOut,
    Day,
    check_due_date,
)
from clientela.core.ids import Id
from clientela.core.openapi import problems
from clientela.core.requests import current_user
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
