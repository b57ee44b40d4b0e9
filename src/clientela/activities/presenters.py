"""Activities as pages, the timeline and the API show them: labels in the reader's language, the
party page's panel, the form's choices, and the API's shape."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.activities.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    CallList,
    CallListItem,
    EventAction,
    ItemReason,
    Priority,
    RepeatUnit,
)
from clientela.activities.queries import party_activities, user_zone
from clientela.activities.services import KIND_CHANNELS
from clientela.activities.services.attention import Attention
from clientela.activities.services.my_day import MyDay
from clientela.core.registries import TimelineLabels
from clientela.core.requests import current_user
from clientela.interactions.models import Channel, Direction
from clientela.parties.models import Party
from clientela.parties.queries import assignable_users, teams

ACTIVITY_LABELS = TimelineLabels(
    kind=_("Activity"), channels=dict(ActivityKind.choices), statuses=dict(EventAction.choices)
)
PANEL_SIZE = 5
ASSIGNEE_CHOICES = 200


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
        "when": activity.due_at.astimezone(ZoneInfo(activity.time_zone)),
    }


def assignee_options(user: User) -> list[tuple[str, str]]:
    """Whom the forms offer: the user, their team's queue, then every active colleague."""
    options = [(f"user:{user.pk}", str(_("Me")))]
    if user.team is not None:
        label = _("Queue of %(team)s") % {"team": user.team.name}
        options.append((f"team:{user.team_id}", str(label)))
    colleagues = assignable_users().exclude(pk=user.pk)
    if not user.sees_all_parties:
        colleagues = colleagues.filter(team_id=user.team_id) if user.team_id else colleagues.none()
    options += [(f"user:{u.pk}", str(u)) for u in colleagues[:ASSIGNEE_CHOICES]]
    if user.sees_all_parties:
        options += [
            (f"team:{t.pk}", str(_("Queue of %(team)s") % {"team": t.name}))
            for t in teams()
            if t.pk != user.team_id
        ]
    return options


def activity_values(activity: Activity) -> dict[str, str]:
    """An activity's fields as its edit form shows them."""
    assignee = (
        f"user:{activity.assignee_id}" if activity.assignee_id else f"team:{activity.queue_id}"
    )
    return {
        "kind": activity.kind,
        "title": activity.title,
        "notes": activity.notes,
        "due_date": activity.due_date.isoformat(),
        "due_time": activity.due_time.strftime("%H:%M") if activity.due_time else "",
        "duration_minutes": str(activity.duration_minutes or ""),
        "priority": activity.priority,
        "repeat_unit": activity.repeat_unit,
        "repeat_every": str(activity.repeat_every),
        "assignee": assignee,
    }


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


def activity_form(
    user: User, values: dict[str, str] | None = None, errors: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """An activity form: its values (by default a follow-up tomorrow, for the one who plans
    it), its errors, and its choices."""
    tomorrow = timezone.now().astimezone(user_zone(user)).date() + timedelta(days=1)
    return {
        "values": values
        or {
            "kind": ActivityKind.FOLLOW_UP,
            "priority": Priority.NORMAL,
            "due_date": tomorrow.isoformat(),
            "assignee": f"user:{user.pk}",
            "repeat_every": "1",
        },
        "errors": errors or {},
        "assignees": assignee_options(user),
        **form_choices(),
    }


def completion_form(
    activity: Activity,
    values: dict[str, str] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """The "how did it go?" form: the channel the activity's kind implies, outbound."""
    channel = KIND_CHANNELS.get(ActivityKind(activity.kind), "")
    return {
        "values": values or {"channel": channel, "direction": Direction.OUTBOUND},
        "errors": errors or {},
        **form_choices(),
    }


def party_panel(request: HttpRequest, party: Party) -> dict[str, Any]:
    """The party's next activities, and a form to schedule a follow-up (for those who write)."""
    return panel_context(current_user(request), party)


def next_activity_tile(request: HttpRequest, party: Party) -> dict[str, Any]:
    """The customer page header's tile: the party's next open activity, if any."""
    upcoming = party_activities(current_user(request), party.pk, limit=1)
    return {"next_activity": row(upcoming[0]) if upcoming else None}


def panel_context(
    user: User, party: Party, form: dict[str, Any] | None = None, saved: bool = False
) -> dict[str, Any]:
    """The panel's own context: its rows, and its form (the one posted, when it had errors)."""
    now = timezone.now()
    upcoming = party_activities(user, party.pk, limit=PANEL_SIZE)
    return {
        "activity_rows": [row(a, now) for a in upcoming],
        "activity_form": (form or activity_form(user)) if user.can_write else None,
        "activity_saved": saved,
    }


# Call lists and My day -------------------------------------------------------------------

ATTENTION_LABELS = {
    "at_risk": _("Valuable customer at risk"),
    "out_of_rhythm": _("No contact for longer than usual"),
    "birthday": _("Birthday"),
    "wedding_anniversary": _("Wedding anniversary"),
    "customer_since": _("Customer anniversary"),
    "welcome": _("New customer, not welcomed yet"),
}


def call_item_out(item: CallListItem) -> dict[str, Any]:
    """CallItemOut as a dict (party, assignee loaded with it)."""
    assignee = item.assignee
    return {
        "id": item.pk,
        "call_list_id": item.call_list_id,
        "party": {"id": item.party_id, "name": item.party.display_name},
        "assignee": _ref(assignee, str(assignee)) if assignee is not None else None,
        "activity_id": item.activity_id,
        "status": item.status,
        "reason": item.reason,
        "reason_text": str(ItemReason(item.reason).label) if item.reason else "",
        "attempts": item.attempts,
        "last_outcome": item.last_outcome,
        "window_start": item.window_start,
        "window_end": item.window_end,
    }


def call_list_out(call_list: CallList, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": call_list.pk,
        "name": call_list.name,
        "team": {"id": call_list.team_id, "name": call_list.team.name},
        "purpose": call_list.purpose,
        "starts_on": call_list.starts_on,
        "ends_on": call_list.ends_on,
        "script": call_list.script,
        "max_attempts": call_list.max_attempts,
        "segment_id": call_list.segment_id,
        "created_at": call_list.created_at,
        "counts": counts,
    }


def attention_out(entry: Attention) -> dict[str, Any]:
    return {
        "party": {"id": entry.party.pk, "name": entry.party.display_name},
        "why": entry.why,
        "tier": entry.tier,
        "lifecycle_state": entry.lifecycle_state,
        "clv": str(entry.clv) if entry.clv is not None else None,
        "since": entry.since,
        "last_contact_at": entry.last_contact_at,
        "key_date": entry.key_date,
        "in_days": entry.in_days,
    }


def my_day_out(day: MyDay) -> dict[str, Any]:
    """MyDayOut as a dict."""
    return {
        "user": {"id": day.user.pk, "name": str(day.user)},
        "day": day.day,
        "overdue": [activity_out(a) for a in day.overdue],
        "today": [activity_out(a) for a in day.today],
        "attention": [attention_out(a) for a in day.attention],
        "team": None
        if day.team is None
        else [
            {
                "user": {"id": m.user.pk, "name": str(m.user)},
                "overdue": m.overdue,
                "today": m.today,
                "next_7_days": m.next_7_days,
                "at_risk": m.at_risk,
            }
            for m in day.team
        ],
    }


def window_label(item: CallListItem, viewer: User) -> str:
    """The calling window in the customer's own time, and in the caller's."""
    if item.window_start is None or item.window_end is None:
        return ""
    theirs = item.activity.time_zone if item.activity is not None else "UTC"
    zone = ZoneInfo(theirs)
    start, end = item.window_start.astimezone(zone), item.window_end.astimezone(zone)
    mine = item.window_start.astimezone(user_zone(viewer))
    return str(
        _("%(day)s %(start)s-%(end)s their time (%(zone)s); %(mine)s yours")
        % {
            "day": start.strftime("%Y-%m-%d"),
            "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M"),
            "zone": theirs,
            "mine": mine.strftime("%H:%M"),
        }
    )
