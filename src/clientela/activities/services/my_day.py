"""My day: what a user has to do today, and which of their customers need attention now.

Each section is one set-based query over the user's parties (an index-backed filter, a small
limit), so the page answers in the same time for 50 customers or 5,000.
"""

from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.accounts.services import require_write
from clientela.activities.models import Activity, AttentionSnooze
from clientela.activities.queries import PENDING, pending, user_zone
from clientela.analytics.models import CustomerMetrics, LifecycleState
from clientela.analytics.services.config import SettingError
from clientela.core.errors import NotFound
from clientela.core.ids import is_id
from clientela.interactions.models import Direction, Interaction
from clientela.parties.models import KeyDate, KeyDateKind, Party
from clientela.parties.queries import get_visible_party, visible_parties

LIMIT = 50  # activities of each section
ATTENTION_LIMIT = 25  # customers of each attention section: a day's worth, the rest tomorrow
DATE_KINDS = (KeyDateKind.BIRTHDAY, KeyDateKind.WEDDING_ANNIVERSARY, KeyDateKind.CUSTOMER_SINCE)
WEEK = 7


def contact_rhythm() -> dict[str, int]:
    """Days without contact before a customer of each tier needs attention (the high tiers)."""
    raw = settings.CLIENTELA_CONTACT_RHYTHM
    rhythm: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, _sep, days = part.partition(":")
        if not name.strip() or not days.strip().isdigit() or int(days) < 1:
            raise SettingError(
                "contact_rhythm_setting_invalid",
                _("CLIENTELA_CONTACT_RHYTHM: %(part)r must be tier:days, days at least 1"),
                part=part,
            )
        rhythm[name.strip()] = int(days)
    return rhythm


@dataclass(frozen=True, slots=True)
class PartyRef:
    """A customer as My day names it: its id and its name (not the whole row)."""

    pk: int
    display_name: str


@dataclass
class Attention:
    """A customer on My day's attention list, and why."""

    party: PartyRef
    why: str  # at_risk, out_of_rhythm, birthday, wedding_anniversary, customer_since, welcome
    tier: str = ""
    lifecycle_state: str = ""
    clv: Decimal | None = None
    since: date | None = None
    last_contact_at: datetime | None = None
    key_date: date | None = None
    in_days: int | None = None


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


def _customers(viewer: User, member: User) -> QuerySet[Party]:
    """The member's own customers that the viewer may see, less those snoozed on My day."""
    today = timezone.now().astimezone(user_zone(member)).date()
    snoozed = AttentionSnooze.objects.filter(user=member, party=OuterRef("pk"), until__gte=today)
    return visible_parties(viewer).filter(owner_id=member.pk).exclude(Exists(snoozed))


# Each section starts from the user's own parties (the owner index) and joins their metrics
# row by primary key: starting from the metrics (a lifecycle or tier index over every party)
# reads ten to twenty times more rows at 100,000 parties.


# What an attention entry shows, and nothing more, read as values: a party row is wide (search
# text, notes…), and a party read with its metrics row makes a reference cycle of two model
# instances per customer, left for the garbage collector (a full collection in one call in
# twenty, docs/benchmarks.md).
SHOWN = (
    "id", "display_name", "metrics__tier", "metrics__lifecycle_state", "metrics__clv",
    "metrics__state_since", "metrics__first_purchase_at",
)  # fmt: skip
# What an activity on My day shows (ActivityOut, the page): all of it, and only the names of
# its party, assignee and queue. A party or user row read whole costs a dozen columns and their
# conversions each, for 100 activities a page.
LISTED = (
    *(f.name for f in Activity._meta.concrete_fields),
    "party__display_name", "assignee__email", "assignee__full_name", "queue__name",
)  # fmt: skip


def _attention(row: tuple[Any, ...], why: str, **extra: Any) -> Attention:
    pk, name, tier, state, clv = row[:5]
    return Attention(PartyRef(pk, name), why, tier, state, clv, **extra)


def _at_risk(customers: QuerySet[Party], high: list[str]) -> list[Attention]:
    rows = (
        customers.filter(metrics__lifecycle_state=LifecycleState.AT_RISK, metrics__tier__in=high)
        .order_by("-metrics__clv", "pk")
        .values_list(*SHOWN)[:ATTENTION_LIMIT]
    )
    return [_attention(r, "at_risk", since=r[5]) for r in rows]


def _out_of_rhythm(
    customers: QuerySet[Party], rhythm: dict[str, int], now: datetime
) -> list[Attention]:
    if not rhythm:
        return []
    last = (
        Interaction.objects.filter(party_id=OuterRef("pk"))
        .order_by("-occurred_at", "-id")
        .values("occurred_at")[:1]
    )
    late = Q()
    for tier, days in rhythm.items():
        cutoff = now - timedelta(days=days)
        late |= Q(metrics__tier=tier) & (Q(last_contact__lt=cutoff) | Q(last_contact__isnull=True))
    rows = (
        customers.filter(metrics__tier__in=list(rhythm))
        .exclude(metrics__lifecycle_state=LifecycleState.AT_RISK)  # listed as at risk already
        .annotate(last_contact=Subquery(last))
        .filter(late)
        .order_by("last_contact", "pk")
        .values_list(*SHOWN, "last_contact")[:ATTENTION_LIMIT]
    )
    return [_attention(r, "out_of_rhythm", last_contact_at=r[-1]) for r in rows]


def _week(day: date) -> list[date]:
    return [day + timedelta(days=n) for n in range(WEEK)]


def _key_dates(customers: QuerySet[Party], day: date) -> list[Attention]:
    """Birthdays and anniversaries from today to six days ahead (29 February on the 28th in
    other years)."""
    wanted: dict[tuple[int, int], date] = {}
    for when in _week(day):
        wanted.setdefault((when.month, when.day), when)
        if when.month == 2 and when.day == 28 and not calendar.isleap(when.year):
            wanted.setdefault((2, 29), when)
    match = Q()
    for month, dom in wanted:
        match |= Q(month=month, day=dom)
    rows = (
        KeyDate.objects.filter(match, party__in=customers, kind__in=DATE_KINDS)
        .order_by("month", "day", "party_id")
        .values_list("party_id", "party__display_name", "kind", "year", "month", "day")
    )
    found = [
        Attention(
            PartyRef(pk, name),
            kind,
            key_date=wanted[(month, dom)],
            in_days=(wanted[(month, dom)] - day).days,
            since=date(year, month, min(dom, 28)) if year else None,
        )
        for pk, name, kind, year, month, dom in rows[: ATTENTION_LIMIT * 2]
    ]
    return sorted(found, key=lambda a: (a.in_days or 0, a.party.pk))[:ATTENTION_LIMIT]


def _welcome(customers: QuerySet[Party]) -> list[Attention]:
    """New customers (lifecycle "new") with no contact from the company since their purchase."""
    welcomed = Interaction.objects.filter(
        party_id=OuterRef("pk"),
        direction=Direction.OUTBOUND,
        occurred_at__date__gte=OuterRef("metrics__first_purchase_at"),
    )
    rows = (
        customers.filter(metrics__lifecycle_state=LifecycleState.NEW)
        .exclude(Exists(welcomed))
        .order_by("-metrics__first_purchase_at", "pk")
        .values_list(*SHOWN)[:ATTENTION_LIMIT]
    )
    return [_attention(r, "welcome", since=r[6]) for r in rows]


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
    attention: list[Attention] = []
    if is_today:
        customers = _customers(viewer, member)
        rhythm = contact_rhythm()
        attention = (
            _at_risk(customers, list(rhythm))
            + _out_of_rhythm(customers, rhythm, now)
            + _key_dates(customers, today)
            + _welcome(customers)
        )
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
