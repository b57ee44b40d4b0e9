"""Read side of activities: who may see which (the party's access rule, once), the lists and
filters the API and pages read, and what is due for a user now."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.activities.models import Activity, ActivityStatus, Assignment
from clientela.core.errors import NotFound, invalid
from clientela.core.ids import is_id
from clientela.core.pagination import decode_cursor, encode_cursor
from clientela.parties.queries import visible_parties

PENDING = (ActivityStatus.OPEN, ActivityStatus.SNOOZED)


def visible_activities(user: User) -> QuerySet[Activity]:
    """The activities this user may see: those of the parties they may see.

    A team's queue only ever holds activities of parties that team sees (the services check it
    when an activity is queued), so a queue is visible to its team through the same rule.
    """
    return Activity.objects.filter(party__in=visible_parties(user))


def with_refs(rows: QuerySet[Activity]) -> QuerySet[Activity]:
    """What ActivityOut and the list pages show, without a query per row."""
    return rows.select_related("party", "assignee", "queue")


def get_visible_activity(user: User, activity_id: int) -> Activity:
    """The activity if the user may see it; NotFound otherwise, so its existence is not revealed."""
    found = (
        with_refs(visible_activities(user)).filter(pk=activity_id).first()
        if is_id(activity_id)
        else None
    )
    if found is None:
        raise NotFound(
            _("activity %(id)s not found"), code="activity_not_found", params={"id": activity_id}
        )
    return found


def pending(now: datetime | None = None) -> Q:
    """Still to do now: open, or snoozed until a moment that has come."""
    now = now or timezone.now()
    return Q(status=ActivityStatus.OPEN) | Q(status=ActivityStatus.SNOOZED, snoozed_until__lte=now)


def assigned_to(user: User) -> Q:
    """The user's own activities and those in their team's queue."""
    rule = Q(assignee_id=user.pk)
    if user.team_id is not None:
        rule |= Q(queue_id=user.team_id)
    return rule


def user_zone(user: User) -> ZoneInfo:
    """The user's time zone, else (none set, or a name this machine does not know) the
    company's."""
    try:
        return ZoneInfo(user.time_zone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def end_of_today(user: User, now: datetime | None = None) -> datetime:
    """The end of the user's day (midnight in their zone), as an aware moment."""
    local = (now or timezone.now()).astimezone(user_zone(user))
    tomorrow = local.date() + timedelta(days=1)
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=user_zone(user))


def due_now(user: User, now: datetime | None = None) -> QuerySet[Activity]:
    """The user's pending activities (their own and their queue's) due today or overdue."""
    now = now or timezone.now()
    return (
        visible_activities(user)
        .filter(assigned_to(user))
        .filter(pending(now))
        .filter(due_at__lt=end_of_today(user, now))
        .order_by("due_at", "id")
    )


def unread_assignments(user: User) -> QuerySet[Assignment]:
    """Notices of activities others gave the user, not yet read, of activities still visible."""
    return (
        Assignment.objects.filter(user=user, read_at__isnull=True)
        .filter(activity__in=visible_activities(user))
        .select_related("activity", "activity__party", "by")
    )


def notification_count(user: User, now: datetime | None = None) -> int:
    """The header's counter: activities due now plus unread assignment notices."""
    if not user.is_active:
        return 0
    return due_now(user, now).count() + unread_assignments(user).count()


def search_activities(
    user: User,
    *,
    assignee_id: int | None = None,
    queue_id: int | None = None,
    party_id: int | None = None,
    mine: bool = False,
    statuses: tuple[str, ...] = (),
    kinds: tuple[str, ...] = (),
    due_from: date | datetime | None = None,
    due_to: date | datetime | None = None,
    overdue: bool = False,
) -> QuerySet[Activity]:
    """Visible activities matching every filter given, soonest due first.

    A `due_from`/`due_to` date is a day in the user's zone (`due_to` includes that day).
    """
    rows = visible_activities(user)
    for name, value in (("assignee_id", assignee_id), ("queue_id", queue_id)):
        if value is not None:
            rows = rows.filter(**{name: value}) if is_id(value) else rows.none()
    if party_id is not None:
        rows = rows.filter(party_id=party_id) if is_id(party_id) else rows.none()
    if mine:
        rows = rows.filter(assigned_to(user))
    if statuses:
        rows = rows.filter(status__in=statuses)
    if kinds:
        rows = rows.filter(kind__in=kinds)
    if due_from is not None:
        rows = rows.filter(due_at__gte=_moment(user, due_from, next_day=False))
    if due_to is not None:
        rows = rows.filter(due_at__lt=_moment(user, due_to, next_day=True))
    if overdue:
        now = timezone.now()
        rows = rows.filter(pending(now), overdue_at__lte=now)
    return rows.order_by("due_at", "id")


def _moment(user: User, value: date | datetime, *, next_day: bool) -> datetime:
    if isinstance(value, datetime):
        return value
    day = value + timedelta(days=1) if next_day else value
    return datetime(day.year, day.month, day.day, tzinfo=user_zone(user))


def party_activities(user: User, party_id: int, *, limit: int = 10) -> list[Activity]:
    """A party's pending activities, soonest first, for the party page."""
    rows = visible_activities(user).filter(party_id=party_id, status__in=PENDING)
    return list(rows.select_related("assignee", "queue").order_by("due_at", "id")[:limit])


def soonest_first_page(
    rows: QuerySet[Activity], *, cursor: str | None, limit: int
) -> dict[str, Any]:
    """One page of activities ordered soonest due first, then by id, after a cursor's row.

    The cursor holds (due_at, id) of the last row returned, so rows due at the same moment are
    neither skipped nor repeated.
    """
    if cursor:
        moment, pk = decode_cursor(cursor, size=2)
        when = parse_datetime(moment) if isinstance(moment, str) else None
        if when is None or when.tzinfo is None or not is_id(pk):
            raise invalid(
                "cursor", cursor, _("is not a cursor this API returned"), code="cursor_invalid"
            )
        rows = rows.filter(Q(due_at__gt=when) | Q(due_at=when, pk__gt=pk))
    page = list(rows.order_by("due_at", "id")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    next_cursor = None
    if more and page:
        next_cursor = encode_cursor([page[-1].due_at.isoformat(), page[-1].pk])
    return {"items": page, "next_cursor": next_cursor}
