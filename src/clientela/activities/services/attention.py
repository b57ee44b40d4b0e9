"""My day's attention list: which of a user's customers need attention now, and why.

Each section is one set-based query over the user's own parties (the owner index), joining
their metrics row by key: starting from the metrics (a lifecycle or tier index over every
party) reads ten to twenty times more rows at 100,000 parties. A limit keeps it a day's worth.

Each query is compiled to SQL once per process and shape (core.prepared): the shape is the
viewer's access rule taken apart (`prepared.split`), the tiers of the contact rhythm, and the
week's days for key dates; the user, the day and the cut-offs are bound. Compiling the five
queries cost about 5 ms of each call (docs/benchmarks.md). A rule that cannot be taken apart
runs through the ORM as before.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.activities.models import AttentionSnooze
from clientela.analytics.models import LifecycleState
from clientela.analytics.services.config import SettingError
from clientela.core import prepared
from clientela.interactions.models import Direction, Interaction
from clientela.parties.models import KeyDate, KeyDateKind, Party
from clientela.parties.queries import party_access

ATTENTION_LIMIT = 25  # customers of each attention section: a day's worth, the rest tomorrow
DATE_KINDS = (KeyDateKind.BIRTHDAY, KeyDateKind.WEDDING_ANNIVERSARY, KeyDateKind.CUSTOMER_SINCE)
WEEK = 7
# What an attention entry shows, and nothing more, read as values: a party row is wide (search
# text, notes…), and a party read with its metrics row makes a reference cycle of two model
# instances per customer, left for the garbage collector.
SHOWN = (
    "id", "display_name", "metrics__tier", "metrics__lifecycle_state", "metrics__clv",
    "metrics__state_since", "metrics__first_purchase_at",
)  # fmt: skip


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


def _customers(rule: Q, member_id: int, today: date) -> QuerySet[Party]:
    """The member's own customers that the rule lets through, less those snoozed on My day."""
    snoozed = AttentionSnooze.objects.filter(
        user_id=member_id, party=OuterRef("pk"), until__gte=today
    )
    # visible_parties(viewer) with the rule given (a prepared read's rebuild of party_access)
    live = Party.objects.filter(archived_at__isnull=True)
    return live.filter(rule).filter(owner_id=member_id).exclude(Exists(snoozed))


Section = Callable[..., QuerySet[Any]]  # (customers, **values) -> a values_list() queryset


@dataclass(frozen=True)
class _Scope:
    """Whose customers the sections read: the viewer's access rule, the member, their day."""

    rule: Q
    access: prepared.Filter | None
    member_id: int
    today: date

    def rows(
        self, name: str, shape: Hashable, build: Section, values: dict[str, Any]
    ) -> list[tuple[Any, ...]]:
        """The rows of `build(customers, **values)`, its SQL compiled once per shape."""
        access = self.access
        if access is not None:

            def run(member_id: int, today: date, **bound: Any) -> QuerySet[Any]:
                customers = _customers(access.rebuild(bound), member_id, today)
                return build(customers, **{k: bound[k] for k in values})

            key = ("activities.attention", name, access.shape, shape)
            bound = {"member_id": self.member_id, "today": self.today, **access.values, **values}
            try:
                return prepared.rows(key, run, bound)
            except prepared.NotPrepared:
                pass
        return list(build(_customers(self.rule, self.member_id, self.today), **values))


def _attention(row: tuple[Any, ...], why: str, **extra: Any) -> Attention:
    pk, name, tier, state, clv = row[:5]
    return Attention(PartyRef(pk, name), why, tier, state, clv, **extra)


def _at_risk(scope: _Scope, high: tuple[str, ...]) -> list[Attention]:
    def build(customers: QuerySet[Party]) -> QuerySet[Any]:
        return (
            customers.filter(
                metrics__lifecycle_state=LifecycleState.AT_RISK, metrics__tier__in=high
            )
            .order_by("-metrics__clv", "pk")
            .values_list(*SHOWN)[:ATTENTION_LIMIT]
        )

    rows = scope.rows("at_risk", high, build, {})
    return [_attention(r, "at_risk", since=r[5]) for r in rows]


def _out_of_rhythm(scope: _Scope, rhythm: dict[str, int], now: datetime) -> list[Attention]:
    if not rhythm:
        return []
    tiers = tuple(rhythm)

    def build(customers: QuerySet[Party], **cutoffs: datetime) -> QuerySet[Any]:
        last = (
            Interaction.objects.filter(party_id=OuterRef("pk"))
            .order_by("-occurred_at", "-id")
            .values("occurred_at")[:1]
        )
        late = Q()
        for n, tier in enumerate(tiers):
            cutoff = cutoffs[f"cutoff_{n}"]
            late |= Q(metrics__tier=tier) & (
                Q(last_contact__lt=cutoff) | Q(last_contact__isnull=True)
            )
        return (
            customers.filter(metrics__tier__in=tiers)
            .exclude(metrics__lifecycle_state=LifecycleState.AT_RISK)  # listed as at risk
            .annotate(last_contact=Subquery(last))
            .filter(late)
            .order_by("last_contact", "pk")
            .values_list(*SHOWN, "last_contact")[:ATTENTION_LIMIT]
        )

    cutoffs = {f"cutoff_{n}": now - timedelta(days=rhythm[t]) for n, t in enumerate(tiers)}
    rows = scope.rows("out_of_rhythm", tiers, build, cutoffs)
    return [_attention(r, "out_of_rhythm", last_contact_at=r[-1]) for r in rows]


def _week(day: date) -> dict[tuple[int, int], date]:
    """Each (month, day) from `day` to six days ahead, and its date (29 February falls on the
    28th in other years)."""
    wanted: dict[tuple[int, int], date] = {}
    for when in (day + timedelta(days=n) for n in range(WEEK)):
        wanted.setdefault((when.month, when.day), when)
        if when.month == 2 and when.day == 28 and not calendar.isleap(when.year):
            wanted.setdefault((2, 29), when)
    return wanted


def _key_dates(scope: _Scope) -> list[Attention]:
    """Birthdays and anniversaries from today to six days ahead."""
    wanted = _week(scope.today)
    days = tuple(wanted)  # in the key: small-integer columns, one compiled query a day

    def build(customers: QuerySet[Party]) -> QuerySet[Any]:
        match = Q()
        for month, dom in days:
            match |= Q(month=month, day=dom)
        return (
            KeyDate.objects.filter(match, party__in=customers, kind__in=DATE_KINDS)
            .order_by("month", "day", "party_id")
            .values_list("party_id", "party__display_name", "kind", "year", "month", "day")[
                : ATTENTION_LIMIT * 2
            ]
        )

    found = [
        Attention(
            PartyRef(pk, name),
            kind,
            key_date=wanted[(month, dom)],
            in_days=(wanted[(month, dom)] - scope.today).days,
            since=date(year, month, min(dom, 28)) if year else None,
        )
        for pk, name, kind, year, month, dom in scope.rows("key_dates", days, build, {})
    ]
    return sorted(found, key=lambda a: (a.in_days or 0, a.party.pk))[:ATTENTION_LIMIT]


def _welcome(scope: _Scope) -> list[Attention]:
    """New customers (lifecycle "new") with no contact from the company since their purchase."""

    def build(customers: QuerySet[Party]) -> QuerySet[Any]:
        welcomed = Interaction.objects.filter(
            party_id=OuterRef("pk"),
            direction=Direction.OUTBOUND,
            occurred_at__date__gte=OuterRef("metrics__first_purchase_at"),
        )
        return (
            customers.filter(metrics__lifecycle_state=LifecycleState.NEW)
            .exclude(Exists(welcomed))
            .order_by("-metrics__first_purchase_at", "pk")
            .values_list(*SHOWN)[:ATTENTION_LIMIT]
        )

    return [_attention(r, "welcome", since=r[6]) for r in scope.rows("welcome", (), build, {})]


def attention_list(viewer: User, member: User, now: datetime, today: date) -> list[Attention]:
    """The member's customers who need attention now, as the viewer may see them: valuable
    ones at risk, those out of their tier's rhythm, key dates this week, new ones not welcomed."""
    rule = party_access(viewer)
    scope = _Scope(rule, prepared.split(rule, prefix="access_"), member.pk, today)
    rhythm = contact_rhythm()
    return (
        _at_risk(scope, tuple(rhythm))
        + _out_of_rhythm(scope, rhythm, now)
        + _key_dates(scope)
        + _welcome(scope)
    )
