"""Planning, changing, completing, snoozing and cancelling activities.

Completing one logs the matching interaction through the interactions app's own service, in
the caller's transaction, and plans the next occurrence of a recurring activity.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Team, User
from clientela.accounts.services import require_write
from clientela.activities.models import (
    Activity,
    ActivityEvent,
    ActivityKind,
    ActivityStatus,
    Assignment,
    EventAction,
    RepeatUnit,
    SourceKind,
)
from clientela.activities.queries import PENDING, user_zone
from clientela.activities.schemas import (
    ActivityComplete,
    ActivityCreate,
    ActivitySnooze,
    ActivityUpdate,
)
from clientela.core.errors import Conflict, Invalid, invalid, unavailable
from clientela.interactions.models import Channel
from clientela.interactions.schemas import InteractionCreate
from clientela.interactions.services import log_interaction
from clientela.parties.models import Party
from clientela.parties.queries import get_visible_party, visible_parties

# The channel a done activity's interaction is logged on, unless the completion names one.
KIND_CHANNELS = {
    ActivityKind.CALL: Channel.PHONE,
    ActivityKind.MEETING: Channel.FACE_TO_FACE,
    ActivityKind.VISIT: Channel.FACE_TO_FACE,
    ActivityKind.EMAIL: Channel.EMAIL,
    ActivityKind.LETTER: Channel.LETTER,
}


def due_moments(due_date: date, due_time: time | None, zone: str) -> tuple[datetime, datetime]:
    """(due_at, overdue_at): the moment it is due and the one it becomes overdue.

    Without a time, the day's start and its end in the zone.
    """
    tz = ZoneInfo(zone)
    if due_time is not None:
        moment = datetime.combine(due_date, due_time.replace(tzinfo=None), tzinfo=tz)
        return moment, moment
    start = datetime.combine(due_date, time(0), tzinfo=tz)
    following = due_date + timedelta(days=1)
    return start, datetime.combine(following, time(0), tzinfo=tz)


def next_due_date(due: date, unit: str, every: int) -> date:
    """The due date `every` days, weeks or months after `due` (the 31st becomes the 30th…)."""
    if unit == RepeatUnit.DAYS:
        return due + timedelta(days=every)
    if unit == RepeatUnit.WEEKS:
        return due + timedelta(weeks=every)
    months = due.month - 1 + every
    year, month = due.year + months // 12, months % 12 + 1
    return date(year, month, min(due.day, calendar.monthrange(year, month)[1]))


def _assignee(user_id: int, party: Party) -> User:
    """An active user who can see the party, or a 422 naming the value."""
    user = User.objects.filter(pk=user_id, is_active=True).select_related("team").first()
    if user is None or not visible_parties(user).filter(pk=party.pk).exists():
        raise invalid(
            "assignee_id",
            user_id,
            _("is not an active user who can see this party"),
            code="activity_assignee_invalid",
        )
    return user


def _queue(team_id: int, party: Party) -> Team:
    """A team whose members see the party (owned by the team or by one of its members)."""
    team = Team.objects.filter(pk=team_id).first()
    sees = team is not None and (
        party.team_id == team.pk
        or (
            party.owner_id is not None
            and User.objects.filter(pk=party.owner_id, team=team).exists()
        )
    )
    if team is None or not sees:
        raise invalid(
            "queue_id",
            team_id,
            _("is not a team that looks after this party"),
            code="activity_queue_invalid",
        )
    return team


def _who(
    party: Party, assignee_id: int | None, queue_id: int | None, by: User
) -> tuple[User | None, Team | None]:
    if assignee_id is not None and queue_id is not None:
        raise invalid(
            "queue_id",
            queue_id,
            _("an activity goes to a user or to a team's queue, not both"),
            code="activity_assignee_and_queue",
        )
    if queue_id is not None:
        return None, _queue(queue_id, party)
    if assignee_id is None or assignee_id == by.pk:
        return by, None
    return _assignee(assignee_id, party), None


def _zone(chosen: str, assignee: User | None) -> str:
    if chosen:
        return chosen
    return str(user_zone(assignee)) if assignee is not None else settings.TIME_ZONE


def _record(activity: Activity, action: str, by: User | None, at: datetime | None = None) -> None:
    ActivityEvent.objects.create(
        activity=activity,
        party_id=activity.party_id,
        action=action,
        at=at or timezone.now(),
        actor=by,
    )


def _tell_assignee(activity: Activity, by: User | None) -> None:
    """A notice for the assignee, unless they gave it to themselves."""
    if activity.assignee_id is not None and (by is None or activity.assignee_id != by.pk):
        Assignment.objects.create(user_id=activity.assignee_id, activity=activity, by=by)


def create_activity(data: ActivityCreate, *, by: User) -> tuple[Activity, bool]:
    """Plan an activity with a party the user may see; it goes on the party's timeline.

    An external id seen before returns that activity unchanged (an import run again).
    Returns the activity and whether it was created now.
    """
    require_write(by)
    party = get_visible_party(by, data.party_id)
    if data.external_id:
        existing = Activity.objects.filter(external_id=data.external_id).first()
        if existing is not None:
            return _same_as(existing, data, party, by), False
    assignee, queue = _who(party, data.assignee_id, data.queue_id, by)
    zone = _zone(data.time_zone, assignee)
    due_at, overdue_at = due_moments(data.due_date, data.due_time, zone)
    activity = Activity.objects.create(
        party=party,
        kind=data.kind,
        title=data.title,
        notes=data.notes,
        due_date=data.due_date,
        due_time=data.due_time,
        time_zone=zone,
        due_at=due_at,
        overdue_at=overdue_at,
        duration_minutes=data.duration_minutes,
        assignee=assignee,
        queue=queue,
        priority=data.priority,
        repeat_unit=data.repeat_unit,
        repeat_every=data.repeat_every,
        source_kind=data.source_kind,
        source_id=data.source_id,
        external_id=data.external_id or None,
        created_by=by,
    )
    _record(activity, EventAction.SCHEDULED, by, activity.created_at)
    _tell_assignee(activity, by)
    return activity, True


def _same_as(existing: Activity, data: ActivityCreate, party: Party, by: User) -> Activity:
    if (
        existing.party_id != party.pk
        and not visible_parties(by).filter(pk=existing.party_id).exists()
    ):
        raise Invalid(unavailable("external_id", data.external_id))  # not revealed
    same = (
        existing.party_id == party.pk
        and existing.kind == data.kind
        and existing.title == data.title
        and existing.due_date == data.due_date
    )
    if not same:
        raise Conflict(
            _("this external id is already used by a different activity"),
            code="activity_external_id_taken",
            params={"external_id": data.external_id},
        )
    return existing


def _require_pending(activity: Activity) -> None:
    if activity.status not in PENDING:
        raise Conflict(
            _("activity %(id)s is %(status)s; only an open activity can be changed"),
            code="activity_not_pending",
            params={"id": activity.pk, "status": activity.get_status_display()},
        )


def update_activity(activity: Activity, data: ActivityUpdate, *, by: User) -> Activity:
    """Change what was sent of a pending activity; a new assignee is told."""
    require_write(by)
    _require_pending(activity)
    sent = data.model_fields_set
    for name in ("kind", "title", "notes", "priority", "repeat_unit", "repeat_every"):
        value = getattr(data, name)
        if name in sent and value is not None:
            setattr(activity, name, value)
    if "duration_minutes" in sent:
        activity.duration_minutes = data.duration_minutes
    before = activity.assignee_id
    if "assignee_id" in sent or "queue_id" in sent:
        assignee, queue = _who(activity.party, data.assignee_id, data.queue_id, by)
        activity.assignee, activity.queue = assignee, queue
    if data.due_date is not None:
        activity.due_date = data.due_date
    if "due_time" in sent:
        activity.due_time = data.due_time
    if data.time_zone is not None:
        activity.time_zone = _zone(data.time_zone, activity.assignee)
    activity.due_at, activity.overdue_at = due_moments(
        activity.due_date, activity.due_time, activity.time_zone
    )
    activity.save()
    if activity.assignee_id != before:
        _tell_assignee(activity, by)
    return activity


def complete_activity(
    activity: Activity, data: ActivityComplete, *, by: User
) -> tuple[Activity, Activity | None]:
    """Mark it done with its outcome and log the matching interaction on the timeline.

    Returns the activity and the next occurrence of a recurring one (None otherwise).
    """
    require_write(by)
    _require_pending(activity)
    channel = data.channel or KIND_CHANNELS.get(ActivityKind(activity.kind))
    if channel is None:
        raise invalid(
            "channel",
            None,
            _("is required: say how the contact took place"),
            code="activity_channel_required",
        )
    now = timezone.now()
    interaction, _created = log_interaction(
        InteractionCreate(
            party_id=activity.party_id,
            channel=channel,
            direction=data.direction,
            occurred_at=data.occurred_at or now,
            subject=activity.title,
            notes=data.notes,
            outcome=data.outcome,
        ),
        by=by,
    )
    activity.status = ActivityStatus.DONE
    activity.outcome = data.outcome
    activity.completed_at = now
    activity.completed_by = by
    activity.interaction = interaction
    activity.snoozed_until = None
    activity.save()
    _record(activity, EventAction.DONE, by, now)
    return activity, _plan_next(activity, by)


def _plan_next(done: Activity, by: User) -> Activity | None:
    """The next occurrence of a recurring activity, due one interval after this one."""
    if not done.repeat_unit:
        return None
    due = next_due_date(done.due_date, done.repeat_unit, done.repeat_every)
    due_at, overdue_at = due_moments(due, done.due_time, done.time_zone)
    fields: dict[str, Any] = {
        name: getattr(done, name)
        for name in (
            "party_id",
            "kind",
            "title",
            "notes",
            "time_zone",
            "duration_minutes",
            "assignee_id",
            "queue_id",
            "priority",
            "repeat_unit",
            "repeat_every",
        )
    }
    following = Activity.objects.create(
        **fields,
        due_date=due,
        due_time=done.due_time,
        due_at=due_at,
        overdue_at=overdue_at,
        source_kind=SourceKind.ACTIVITY,
        source_id=done.pk,
        previous=done,
        created_by=by,
    )
    _record(following, EventAction.SCHEDULED, by, following.created_at)
    return following


def snooze_activity(activity: Activity, data: ActivitySnooze, *, by: User) -> Activity:
    """Put a pending activity out of the reminders until a later moment."""
    require_write(by)
    _require_pending(activity)
    if data.until <= timezone.now():
        raise invalid(
            "until",
            data.until.isoformat(),
            _("must be in the future"),
            code="activity_snooze_in_past",
        )
    activity.status = ActivityStatus.SNOOZED
    activity.snoozed_until = data.until
    activity.save(update_fields=["status", "snoozed_until", "updated_at"])
    return activity


def cancel_activity(activity: Activity, *, by: User) -> Activity:
    """Call off a pending activity; the timeline keeps that it was planned and called off."""
    require_write(by)
    _require_pending(activity)
    activity.status = ActivityStatus.CANCELLED
    activity.save(update_fields=["status", "updated_at"])
    _record(activity, EventAction.CANCELLED, by)
    return activity
