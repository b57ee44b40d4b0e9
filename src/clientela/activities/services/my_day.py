"""My day: what a user has to do today, and which of their customers need attention now.

Each section is one set-based query over the user's parties (an index-backed filter, a small
limit), so the page answers in the same time for 50 customers or 5,000. The attention list is
built in `attention.py`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Team, User
from clientela.accounts.services import require_write
from clientela.activities.models import Activity, AttentionSnooze
from clientela.activities.queries import PENDING, pending, user_zone
from clientela.activities.services.attention import WEEK, Attention, attention_list
from clientela.analytics.models import CustomerMetrics, LifecycleState
from clientela.core import prepared
from clientela.core.errors import NotFound
from clientela.core.ids import is_id
from clientela.parties.models import Party
from clientela.parties.queries import get_visible_party, visible_parties

LIMIT = 50  # activities of each section


@dataclass
class MemberLoad:
    user: User
    overdue: int
    today: int
    next_7_days: int
    at_risk: int


@dataclass
class MyDay:
    user: User
    day: date
    is_today: bool
    overdue: list[Activity]
    today: list[Activity]
    attention: list[Attention]
    team: list[MemberLoad] | None = None
    counts: dict[str, int] = field(default_factory=dict)


def day_member(viewer: User, member_id: int | None) -> User:
    """Whose My day the viewer asks for: their own, or (managers, admins) a team member's."""
    if member_id is None or member_id == viewer.pk:
        return viewer
    found = User.objects.filter(pk=member_id, is_active=True).first() if is_id(member_id) else None
    allowed = (
        found is not None
        and viewer.can_assign
        and (
            viewer.role == "admin"
            or (viewer.team_id is not None and found.team_id == viewer.team_id)
        )
    )
    if found is None or not allowed:
        raise NotFound(
            _("user %(id)s not found"), code="my_day_user_not_found", params={"id": member_id}
        )
    return found


def _day_bounds(user: User, day: date) -> tuple[datetime, datetime]:
    zone = user_zone(user)
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    return start, start + timedelta(days=1)


# What an activity on My day shows (ActivityOut, the page): all of it, and only the names of
# its party, assignee and queue. A party or user row read whole costs a dozen columns and their
# conversions each, for 100 activities a page.
OWN = tuple(f.attname for f in Activity._meta.concrete_fields)
NAMES = ("party__display_name", "assignee__email", "assignee__full_name", "queue__name")


def _as_activity(row: tuple[Any, ...]) -> Activity:
    """An activity read as values, with its party, assignee and queue named, as the ORM's
    select_related() of those names would give it (no query when they are read)."""
    activity = Activity.from_db(DEFAULT_DB_ALIAS, OWN, row[: len(OWN)])
    name, email, full_name, queue = row[len(OWN) :]
    party = Party.from_db(DEFAULT_DB_ALIAS, ("id", "display_name"), (activity.party_id, name))
    _PARTY.set_cached_value(activity, party)
    assignee = activity.assignee_id
    _ASSIGNEE.set_cached_value(
        activity,
        User.from_db(DEFAULT_DB_ALIAS, ("id", "email", "full_name"), (assignee, email, full_name))
        if assignee is not None
        else None,
    )
    team = activity.queue_id
    _QUEUE.set_cached_value(
        activity,
        Team.from_db(DEFAULT_DB_ALIAS, ("id", "name"), (team, queue)) if team is not None else None,
    )
    return activity


_PARTY, _ASSIGNEE, _QUEUE = Activity.party.field, Activity.assignee.field, Activity.queue.field


def _owned(owner: str, bounds: str) -> Callable[..., QuerySet[Any]]:
    """The query of up to LIMIT pending activities of one owner (the member, or their team's
    queue) within the bounds, soonest first, on the (assignee|queue, status, due_at) index.
    Compiled once per process (core.prepared): the owner and the moments are bound."""

    def build(owner_id: int, now: datetime, start: datetime, end: datetime) -> QuerySet[Any]:
        window = (
            Q(due_at__lte=now, overdue_at__lte=now)  # overdue: due_at <= overdue_at, indexed
            if bounds == "overdue"
            else Q(due_at__gte=start, due_at__lt=end)
        )
        return (
            Activity.objects.filter(Q(**{owner: owner_id}), window, status__in=PENDING)
            .filter(pending(now))
            .order_by("due_at", "id")
            .values_list(*OWN, *NAMES)[:LIMIT]
        )

    return build


def _pending_in(viewer: User, member: User, bounds: str, values: dict[str, Any]) -> list[Activity]:
    """The member's pending activities (their own, then their queue's) within the bounds
    ("overdue": due by now; "day": due between start and end), soonest first."""
    owners = [("assignee_id", member.pk)]
    if member.team_id is not None:
        owners.append(("queue_id", member.team_id))
    found: list[Activity] = []
    for owner, owner_id in owners:
        key = ("activities.my_day", owner, bounds)
        rows = prepared.rows(key, _owned(owner, bounds), {"owner_id": owner_id, **values})
        found += [_as_activity(r) for r in rows]
    return found


def _visible(viewer: User, *sections: list[Activity]) -> list[list[Activity]]:
    """Each section less the activities of parties the viewer may not see, soonest first.

    Access follows the party: one small query for the few parties found, rather than the
    viewer's whole list of parties inside each query."""
    ids = {a.party_id for section in sections for a in section}
    seen = set(visible_parties(viewer).filter(pk__in=ids).values_list("pk", flat=True))
    return [
        sorted((a for a in section if a.party_id in seen), key=lambda a: (a.due_at, a.pk))[:LIMIT]
        for section in sections
    ]


def _activities(
    viewer: User, member: User, day: date, is_today: bool
) -> tuple[list[Activity], list[Activity]]:
    now = timezone.now()
    start, end = _day_bounds(member, day)
    moments = {"now": now, "start": start, "end": end}
    overdue = _pending_in(viewer, member, "overdue", moments) if is_today else []
    due = _pending_in(viewer, member, "day", moments)
    if is_today:
        due = [a for a in due if a.overdue_at > now]
    overdue, due = _visible(viewer, overdue, due)
    return overdue, due


def _team(viewer: User, now: datetime) -> list[MemberLoad]:
    """Each member of the manager's team: overdue, due today, next 7 days, customers at risk."""
    if viewer.team_id is None:
        return []
    team = list(
        User.objects.filter(team_id=viewer.team_id, is_active=True)
        .exclude(pk=viewer.pk)
        .order_by("full_name", "email")
    )
    if not team:
        return []
    start, _end = _day_bounds(viewer, now.astimezone(user_zone(viewer)).date())
    rows = (
        Activity.objects.filter(assignee__in=team)
        .filter(pending(now))
        .values("assignee_id")
        .annotate(
            overdue=Count("pk", filter=Q(overdue_at__lte=now)),
            today=Count("pk", filter=Q(overdue_at__gt=now, due_at__lt=start + timedelta(days=1))),
            week=Count("pk", filter=Q(due_at__gte=start, due_at__lt=start + timedelta(days=WEEK))),
        )
        .order_by()
    )
    load = {r["assignee_id"]: r for r in rows}
    risk = Counter(
        dict(
            CustomerMetrics.objects.filter(
                party__owner__in=team,
                party__archived_at__isnull=True,
                lifecycle_state=LifecycleState.AT_RISK,
            )
            .values_list("party__owner_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
    )
    empty = {"overdue": 0, "today": 0, "week": 0}
    return [
        MemberLoad(
            m,
            load.get(m.pk, empty)["overdue"],
            load.get(m.pk, empty)["today"],
            load.get(m.pk, empty)["week"],
            risk[m.pk],
        )
        for m in team
    ]


def my_day(viewer: User, *, member_id: int | None = None, day: date | None = None) -> MyDay:
    """My day of `viewer` (or, for a manager, of a member of their team) for `day` (today).

    Overdue activities and the attention list are today's; another day shows its activities.
    """
    member = day_member(viewer, member_id)
    now = timezone.now()
    today = now.astimezone(user_zone(member)).date()
    day = day or today
    is_today = day == today
    overdue, due = _activities(viewer, member, day, is_today)
    attention = attention_list(viewer, member, now, today) if is_today else []
    team = _team(viewer, now) if member == viewer and viewer.can_assign and viewer.team_id else None
    return MyDay(member, day, is_today, overdue, due, attention, team)


def snooze_attention(party_id: int, until: date, *, by: User) -> AttentionSnooze:
    """Put a customer aside on the user's own My day until a day (included)."""
    require_write(by)
    party = get_visible_party(by, party_id)
    snooze, _created = AttentionSnooze.objects.update_or_create(
        user=by, party=party, defaults={"until": until}
    )
    return snooze
