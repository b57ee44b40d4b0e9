"""My day: what a user has to do today, and which of their customers need attention now.

Each section is one set-based query over the user's parties (an index-backed filter, a small
limit), so the page answers in the same time for 50 customers or 5,000. The attention list is
built in `attention.py`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.accounts.services import require_write
from clientela.activities.models import Activity, AttentionSnooze
from clientela.activities.queries import PENDING, pending, user_zone
from clientela.activities.services.attention import WEEK, Attention, attention_list
from clientela.analytics.models import CustomerMetrics, LifecycleState
from clientela.core.errors import NotFound
from clientela.core.ids import is_id
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
LISTED = (
    *(f.name for f in Activity._meta.concrete_fields),
    "party__display_name", "assignee__email", "assignee__full_name", "queue__name",
)  # fmt: skip


def _pending_in(viewer: User, member: User, now: datetime, **bounds: Any) -> list[Activity]:
    """The member's pending activities (their own, then their queue's) within `bounds`, soonest
    first: one query per owner, each on its (assignee|queue, status, due_at) index."""
    owners = [Q(assignee_id=member.pk)]
    if member.team_id is not None:
        owners.append(Q(queue_id=member.team_id))
    found: list[Activity] = []
    for owner in owners:
        rows = (
            Activity.objects.filter(owner, status__in=PENDING, **bounds)
            .filter(pending(now))
            .select_related("party", "assignee", "queue")
            .only(*LISTED)
            .order_by("due_at", "id")
        )
        found += rows[:LIMIT]
    # Access follows the party: one small query for the few parties found, rather than the
    # viewer's whole list of parties inside each query.
    seen = set(
        visible_parties(viewer)
        .filter(pk__in={a.party_id for a in found})
        .values_list("pk", flat=True)
    )
    found = [a for a in found if a.party_id in seen]
    return sorted(found, key=lambda a: (a.due_at, a.pk))[:LIMIT]


def _activities(
    viewer: User, member: User, day: date, is_today: bool
) -> tuple[list[Activity], list[Activity]]:
    now = timezone.now()
    start, end = _day_bounds(member, day)
    overdue: list[Activity] = []
    if is_today:  # overdue means due by now (due_at <= overdue_at): a bound the index uses
        overdue = _pending_in(viewer, member, now, due_at__lte=now, overdue_at__lte=now)
    due = _pending_in(viewer, member, now, due_at__gte=start, due_at__lt=end)
    if is_today:
        due = [a for a in due if a.overdue_at > now]
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
