"""Building call lists: the parties of a segment or a selection, each given to the team member
with the least work, in the customer's calling window, where the consent gate allows a call.

Thousands of parties are read, decided and written set-based: a few queries per 2,000 parties
and bulk inserts of the activities, their timeline steps, the notices and the items.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Role, Team, User
from clientela.accounts.services import require_write
from clientela.activities import bulk
from clientela.activities.models import (
    Activity,
    CallList,
    ItemReason,
    ItemStatus,
)
from clientela.activities.queries import PENDING
from clientela.activities.schemas import CallListCreate
from clientela.activities.services import windows
from clientela.consent.models import ConsentChannel, Preferences
from clientela.consent.services import may_contact_many, party_zone
from clientela.core.errors import NotFound, invalid
from clientela.parties.models import ContactPoint, Party
from clientela.parties.queries import visible_parties
from clientela.segments.queries import get_segment, members

MAX_PARTIES = 10_000
CALL_MINUTES = 15
CHUNK = 2000


@dataclass
class _Target:
    """One party being placed: where it is, when it may be called, and who calls it."""

    party: Party
    zone: ZoneInfo
    country: str
    span: tuple[time, time] | None
    days: list[date]
    assignee: User | None = None
    day: date | None = None
    window: tuple[datetime, datetime] | None = None
    reason: str = ""


def _team(data: CallListCreate, by: User) -> tuple[Team, list[User]]:
    """The team to spread the calls across: the builder's own, or any for a manager/admin."""
    team_id = data.team_id if data.team_id is not None else by.team_id
    team = Team.objects.filter(pk=team_id).first() if team_id is not None else None
    if team is None or (not by.can_assign and team.pk != by.team_id):
        raise invalid(
            "team_id",
            team_id,
            _("is not a team you can give calls to"),
            code="call_list_team_invalid",
        )
    callers = list(
        User.objects.filter(team=team, is_active=True).exclude(role=Role.VIEWER).order_by("pk")
    )
    if not callers:
        raise invalid(
            "team_id",
            data.team_id,
            _("has no active member who can make calls"),
            code="call_list_team_empty",
        )
    return team, callers


def _parties(data: CallListCreate, by: User) -> list[Party]:
    """The parties asked for that the builder may see; an unseen id of a selection is 404."""
    if data.segment_id is not None:
        rows = members(get_segment(data.segment_id), by)
    else:
        ids = set(data.party_ids)
        rows = visible_parties(by).filter(pk__in=ids)
        found = set(rows.values_list("pk", flat=True))
        missing = sorted(ids - found)
        if missing:
            raise NotFound(
                _("party %(id)s not found"), code="party_not_found", params={"id": missing[0]}
            )
    parties = list(
        rows.only("pk", "owner_id", "team_id", "timezone", "display_name")[: MAX_PARTIES + 1]
    )
    if len(parties) > MAX_PARTIES:
        raise invalid(
            "party_ids" if data.segment_id is None else "segment_id",
            data.segment_id or len(data.party_ids),
            _("a call list holds at most %(limit)s parties"),
            code="call_list_too_large",
            limit=MAX_PARTIES,
        )
    return sorted(parties, key=lambda p: p.pk)


def _targets(parties: list[Party], data: CallListCreate, now: datetime) -> list[_Target]:
    """Each party's zone, country, daily calling window and calling days in the period."""
    rules = windows.calling_rules()
    ids = [p.pk for p in parties]
    points: dict[int, list[ContactPoint]] = defaultdict(list)
    quiet: dict[int, tuple[time | None, time | None]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for point in ContactPoint.objects.filter(party_id__in=chunk).only(
            "pk", "party_id", "kind", "value", "normalized", "country", "is_primary"
        ):
            points[point.party_id].append(point)
        for party_id, q_start, q_end in Preferences.objects.filter(party_id__in=chunk).values_list(
            "party_id", "quiet_start", "quiet_end"
        ):
            quiet[party_id] = (q_start, q_end)
    targets = []
    for party in parties:
        zone = party_zone(party)
        country = windows.party_country(points.get(party.pk, []))
        span = windows.daily_window(rules, *quiet.get(party.pk, (None, None)))
        days = []
        if span is not None:
            days = [
                day
                for day in windows.calling_days(
                    data.starts_on, data.ends_on, rules=rules, country=country
                )
                if windows.window_on(day, span, zone)[1] > now
            ]
        target = _Target(party, zone, country, span, days)
        if span is None:
            target.reason = ItemReason.NO_CALLING_WINDOW
        elif not days:
            target.reason = ItemReason.NO_CALLING_DAY
        targets.append(target)
    return targets


def _gate(targets: list[_Target], purpose: str) -> None:
    """Leave out each party the gate refuses a call to, at its first calling window."""
    placed = [t for t in targets if not t.reason]
    moments = [
        (t.party, windows.window_on(t.days[0], t.span, t.zone)[0])
        for t in placed
        if t.span is not None
    ]
    decisions = may_contact_many(moments, purpose=purpose, channel=ConsentChannel.PHONE)
    for target in placed:
        decision = decisions[target.party.pk]
        if not decision.allowed:
            target.reason = decision.reason


def _sees(caller: User, party: Party) -> bool:
    return (
        caller.sees_all_parties
        or party.owner_id == caller.pk
        or (caller.team_id is not None and party.team_id == caller.team_id)
    )


def _spread(targets: list[_Target], callers: list[User], data: CallListCreate) -> None:
    """Give each party to the caller with the least work, on their least busy calling day.

    Work is the caller's pending activities due in the period plus the calls given so far; a
    party's owner is preferred among equals.
    """
    first = datetime.combine(data.starts_on, time(0), tzinfo=timezone.get_current_timezone())
    last = datetime.combine(data.ends_on, time(0), tzinfo=first.tzinfo) + timedelta(days=2)
    load: Counter[int] = Counter(
        {
            row["assignee_id"]: row["n"]
            for row in Activity.objects.filter(
                assignee__in=callers, status__in=PENDING, due_at__gte=first, due_at__lt=last
            )
            .values("assignee_id")
            .annotate(n=Count("pk"))
            .order_by()
        }
    )
    per_day: Counter[tuple[int, date]] = Counter()
    for target in targets:
        if target.reason:
            continue
        eligible = [c for c in callers if _sees(c, target.party)]
        if not eligible:
            target.reason = ItemReason.NO_CALLER
            continue
        caller = min(eligible, key=lambda c: (load[c.pk], c.pk != target.party.owner_id, c.pk))
        day = min(target.days, key=lambda d: (per_day[(caller.pk, d)], d))
        load[caller.pk] += 1
        per_day[(caller.pk, day)] += 1
        target.assignee, target.day = caller, day
        if target.span is not None:
            target.window = windows.window_on(day, target.span, target.zone)


def build_call_list(data: CallListCreate, *, by: User) -> CallList:
    """Build a call list: one call activity per party the gate allows, spread across the team.

    Parties left out are kept as items with the reason (the gate's, or no window, day or
    caller), so the builder sees who was not called and why.
    """
    require_write(by)
    team, callers = _team(data, by)
    parties = _parties(data, by)
    now = timezone.now()
    targets = _targets(parties, data, now)
    _gate(targets, data.purpose)
    _spread(targets, callers, data)
    call_list = CallList.objects.create(
        name=data.name,
        team=team,
        purpose=data.purpose,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        script=data.script,
        max_attempts=data.max_attempts,
        segment_id=data.segment_id,
        created_by=by,
        created_at=now,
    )
    _write(call_list, targets, by, now)
    return call_list


def _write(call_list: CallList, targets: list[_Target], by: User, now: datetime) -> None:
    """The calls, their timeline steps and every item, through the bulk path.

    A call list's calls raise no assignment notice each: the list is the notice (its page
    and My day show it), and thousands of notices would bury every other one.
    """
    calls = [
        (t.party.pk, t.assignee.pk, *t.window, t.zone.key)
        for t in targets
        if t.assignee is not None and t.window is not None
    ]
    made = bulk.insert_calls(
        call_list.pk, call_list.name, calls, by_id=by.pk, now=now, minutes=CALL_MINUTES
    )
    bulk.insert_scheduled_events(made, by_id=by.pk, now=now)
    bulk.insert_items(
        call_list.pk,
        [
            (
                t.party.pk,
                t.assignee.pk if t.assignee is not None else None,
                made.get(t.party.pk),
                ItemStatus.PENDING if t.party.pk in made else ItemStatus.EXCLUDED,
                "" if t.party.pk in made else t.reason,
                t.window[0] if t.window and t.party.pk in made else None,
                t.window[1] if t.window and t.party.pk in made else None,
            )
            for t in targets
        ],
        now=now,
    )


def next_calling_window(party: Party, after: date) -> tuple[datetime, datetime] | None:
    """The party's first calling window on a day after `after` (within four weeks), if any."""
    rules = windows.calling_rules()
    prefs = Preferences.objects.filter(party=party).values_list("quiet_start", "quiet_end").first()
    span = windows.daily_window(rules, *(prefs or (None, None)))
    if span is None:
        return None
    country = windows.party_country(list(party.contact_points.all()))
    first = after + timedelta(days=1)
    for day in windows.calling_days(
        first, first + timedelta(days=28), rules=rules, country=country
    ):
        return windows.window_on(day, span, party_zone(party))
    return None
