"""Activities as pages, the timeline and the API show them: labels in the reader's language, the
party page's panel, the form's choices, and the API's shape."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.activities.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    EventAction,
    Priority,
    RepeatUnit,
)
from clientela.activities.queries import party_activities, user_zone
from clientela.core.registries import TimelineLabels
from clientela.core.requests import current_user
from clientela.interactions.models import Channel, Direction
from clientela.parties.models import Party

ACTIVITY_LABELS = TimelineLabels(
    kind=_("Activity"), channels=dict(ActivityKind.choices), statuses=dict(EventAction.choices)
)
PANEL_SIZE = 5


def _ref(obj: Any, name: str) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": name} if obj is not None else None


def activity_out(activity: Activity) -> dict[str, Any]:
    """ActivityOut as a dict (party, assignee and queue loaded with it: queries.with_refs)."""
    assignee = activity.assignee
    return {
        "id": activity.pk,
        "party": {"id": activity.party_id, "name": activity.party.display_name},
        "kind": activity.kind,
        "title": activity.title,
        "notes": activity.notes,
        "due_date": activity.due_date,
        "due_time": activity.due_time,
        "time_zone": activity.time_zone,
        "due_at": activity.due_at,
        "overdue_at": activity.overdue_at,
        "duration_minutes": activity.duration_minutes,
        "assignee": _ref(assignee, str(assignee)) if assignee is not None else None,
        "queue": _ref(activity.queue, activity.queue.name) if activity.queue else None,
        "priority": activity.priority,
        "status": activity.status,
        "snoozed_until": activity.snoozed_until,
        "repeat_unit": activity.repeat_unit,
        "repeat_every": activity.repeat_every,
        "source_kind": activity.source_kind,
        "source_id": activity.source_id,
        "previous_id": activity.previous_id,
        "outcome": activity.outcome,
        "completed_at": activity.completed_at,
        "interaction_id": activity.interaction_id,
        "external_id": activity.external_id,
        "created_at": activity.created_at,
        "created_by_id": activity.created_by_id,
    }


def is_overdue(activity: Activity, now: datetime | None = None) -> bool:
    return activity.is_pending and activity.overdue_at <= (now or timezone.now())


def row(activity: Activity, now: datetime | None = None) -> dict[str, Any]:
    """One activity as a list shows it: who, when (in its own zone), and whether it is late."""
    return {
        "activity": activity,
        "overdue": is_overdue(activity, now),
        "who": str(activity.assignee) if activity.assignee else (activity.queue or ""),
        "when": activity.due_at.astimezone(user_zone_name(activity.time_zone)),
    }


def user_zone_name(name: str) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def form_choices() -> dict[str, Any]:
    """The choices every activity form offers."""
    return {
        "kinds": ActivityKind.choices,
        "priorities": Priority.choices,
        "repeat_units": RepeatUnit.choices,
        "statuses": ActivityStatus.choices,
        "channels": Channel.choices,
        "directions": Direction.choices,
    }


def empty_form(request: HttpRequest) -> dict[str, Any]:
    """A follow-up call tomorrow, for the one who plans it."""
    user = current_user(request)
    tomorrow = timezone.now().astimezone(user_zone(user)).date().toordinal() + 1
    from datetime import date

    return {
        "values": {
            "kind": ActivityKind.FOLLOW_UP,
            "priority": Priority.NORMAL,
            "due_date": date.fromordinal(tomorrow).isoformat(),
            "assignee_id": str(user.pk),
            "repeat_every": "1",
        },
        "errors": {},
        **form_choices(),
    }


def party_panel(request: HttpRequest, party: Party) -> dict[str, Any]:
    """The party's next activities, and a form to schedule a follow-up (for those who write)."""
    user = current_user(request)
    now = timezone.now()
    upcoming = party_activities(user, party.pk, limit=PANEL_SIZE)
    return {
        "activity_rows": [row(a, now) for a in upcoming],
        "activity_form": empty_form(request) if user.can_write else None,
    }
