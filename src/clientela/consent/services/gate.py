"""The one gate every send goes through: may we contact this party, for this purpose, now?"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cached_property

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.commerce.models import OrderStatus
from clientela.consent.models import (
    CONTACT_CHANNELS,
    CONTACT_PURPOSES,
    ConsentChannel,
    ConsentRecord,
    ConsentStatus,
    ContactLog,
    Preferences,
    Purpose,
)
from clientela.consent.services.preferences import get_preferences, local_time
from clientela.consent.services.records import current_consents
from clientela.consent.services.suppression import (
    CHANNEL_CONTACT_KIND,
    SUPPRESSIBLE,
    active_suppressions,
    suppression_digest,
)
from clientela.core.errors import FieldError, Invalid
from clientela.parties.models import ContactPoint, Party, RelationshipRole

# Stable reason codes (callers switch on them) and what a person reads for each.
REASONS = {
    "consent": _("The party agreed to this purpose on this channel."),
    "soft_opt_in": _(
        "Existing customer: e-mail about similar products is allowed until they object."
    ),
    "transactional": _("Transactional messages need no consent."),
    "erased": _("The party's personal data was erased."),
    "no_contact_point": _("The party has no address or number for this channel."),
    "suppressed": _("The address or number is on the suppression list."),
    "withdrawn": _("The party withdrew consent for this purpose on this channel."),
    "never_given": _("The party never gave consent for this purpose on this channel."),
    "paused": _("The party paused all messages."),
    "quiet_hours": _("It is within the party's quiet hours."),
    "weekly_cap": _("The party's limit of messages per week is reached."),
    "monthly_cap": _("The party's limit of messages per month is reached."),
}


@dataclass(frozen=True)
class Decision:
    """The gate's answer: allowed or not, and a stable reason code (see REASONS)."""

    allowed: bool
    reason: str

    @property
    def explanation(self) -> str:
        return str(REASONS[self.reason])

    def __bool__(self) -> bool:
        return self.allowed


def contact_point_for(party: Party, channel: str) -> ContactPoint | None:
    """The address or number a message on this channel goes to: the primary of its kind."""
    kind = CHANNEL_CONTACT_KIND.get(channel)
    points = [p for p in party.contact_points.all() if p.kind == kind]
    return next((p for p in points if p.is_primary), points[0] if points else None)


def is_existing_customer(party: Party) -> bool:
    """Has bought (a completed order) or holds the customer role."""
    if party.orders.filter(status=OrderStatus.COMPLETED).exists():
        return True
    return party.roles.filter(role=RelationshipRole.CUSTOMER).exists()


def _check_request(purpose: str, channel: str) -> None:
    errors = []
    if purpose not in Purpose.values:
        errors.append(
            FieldError(
                "purpose",
                purpose,
                _("must be one of %(allowed)s"),
                code="purpose_invalid",
                params={"allowed": ", ".join(Purpose.values)},
            )
        )
    if channel not in CONTACT_CHANNELS:
        errors.append(
            FieldError(
                "channel",
                channel,
                _("must be one of %(allowed)s"),
                code="channel_invalid",
                params={"allowed": ", ".join(CONTACT_CHANNELS)},
            )
        )
    if errors:
        raise Invalid(errors)


class _Facts:
    """What the gate reads about one party at one moment, each read at most once.

    Lets the party page ask about every purpose and channel without repeating queries.
    """

    def __init__(self, party: Party, at: datetime) -> None:
        self.party = party
        self.at = at

    @cached_property
    def erased(self) -> bool:
        from clientela.consent.services.privacy import is_erased

        return is_erased(self.party)

    @cached_property
    def points(self) -> list[ContactPoint]:
        return list(self.party.contact_points.all())

    def point(self, channel: str) -> ContactPoint | None:
        kind = CHANNEL_CONTACT_KIND.get(channel)
        points = [p for p in self.points if p.kind == kind]
        return next((p for p in points if p.is_primary), points[0] if points else None)

    def is_suppressed(self, point: ContactPoint) -> bool:
        return point.pk in self._suppressed

    @cached_property
    def _suppressed(self) -> set[int]:
        digests = {
            suppression_digest(p.kind, p.normalized): p.pk
            for p in self.points
            if p.kind in SUPPRESSIBLE
        }
        if not digests:
            return set()
        found = active_suppressions().filter(digest__in=digests).values_list("digest", flat=True)
        return {digests[d] for d in found}

    @cached_property
    def consents(self) -> dict[tuple[str, str], ConsentRecord]:
        return current_consents(self.party)

    @cached_property
    def is_customer(self) -> bool:
        return is_existing_customer(self.party)

    @cached_property
    def prefs(self) -> Preferences:
        return get_preferences(self.party)

    def sent_within(self, days: int) -> int:
        """Messages (not transactional) sent in the `days` (at most 30) before the moment."""
        since = self.at - timedelta(days=days)
        return sum(1 for moment in self._sent_times if moment > since)

    @cached_property
    def _sent_times(self) -> list[datetime]:
        rows = ContactLog.objects.filter(
            party=self.party, at__lte=self.at, at__gt=self.at - timedelta(days=30)
        ).exclude(purpose=Purpose.TRANSACTIONAL)
        return list(rows.values_list("at", flat=True))


def _consent_reason(facts: _Facts, purpose: str, channel: str) -> Decision:
    record = facts.consents.get((purpose, channel))
    if record is not None:
        if record.status == ConsentStatus.GRANTED:
            return Decision(True, "consent")
        return Decision(False, "withdrawn")
    soft = purpose == Purpose.MARKETING and channel == ConsentChannel.EMAIL
    if soft and facts.is_customer:
        return Decision(True, "soft_opt_in")
    return Decision(False, "never_given")


def _in_quiet_hours(moment: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end  # spans midnight, e.g. 21:00-08:00


def _limits_reason(facts: _Facts) -> Decision | None:
    prefs = facts.prefs
    local = local_time(facts.party, facts.at)
    if prefs.paused_until is not None and local.date() <= prefs.paused_until:
        return Decision(False, "paused")
    start, end = prefs.quiet_start, prefs.quiet_end
    if start is not None and end is not None and _in_quiet_hours(local.time(), start, end):
        return Decision(False, "quiet_hours")
    # Rolling windows: the 7 and 30 days before the moment of sending.
    week, month = prefs.max_per_week, prefs.max_per_month
    if week is not None and facts.sent_within(7) >= week:
        return Decision(False, "weekly_cap")
    if month is not None and facts.sent_within(30) >= month:
        return Decision(False, "monthly_cap")
    return None


def _decide(facts: _Facts, purpose: str, channel: str) -> Decision:
    if facts.erased:
        return Decision(False, "erased")
    point = facts.point(channel)
    if point is None:
        return Decision(False, "no_contact_point")
    if facts.is_suppressed(point):
        return Decision(False, "suppressed")
    if purpose == Purpose.TRANSACTIONAL:
        return Decision(True, "transactional")
    decision = _consent_reason(facts, purpose, channel)
    if not decision.allowed:
        return decision
    refused = _limits_reason(facts)
    return refused if refused is not None else decision


def may_contact(
    party: Party, *, purpose: str, channel: str, at: datetime | None = None
) -> Decision:
    """May we contact this party for this purpose on this channel at `at` (default: now)?

    Checked in this order: erased, no address, suppressed, transactional (allowed), consent
    (or soft opt-in), pause, quiet hours in the party's time zone, weekly and monthly caps.
    """
    _check_request(purpose, channel)
    return _decide(_Facts(party, at or timezone.now()), purpose, channel)


def record_contact(
    party: Party, *, purpose: str, channel: str, at: datetime | None = None, reference: str = ""
) -> ContactLog:
    """Note a message that was sent, so that frequency limits count it; call after sending."""
    _check_request(purpose, channel)
    return ContactLog.objects.create(
        party=party, purpose=purpose, channel=channel, at=at or timezone.now(), reference=reference
    )


@dataclass(frozen=True)
class GateRow:
    """The gate's answers for one purpose, channel by channel."""

    purpose: str
    decisions: list[tuple[str, Decision]]


def gate_overview(party: Party, *, at: datetime | None = None) -> list[GateRow]:
    """The gate's answer for every purpose and channel: what staff see on the party page."""
    facts = _Facts(party, at or timezone.now())
    return [
        GateRow(
            purpose=purpose,
            decisions=[(channel, _decide(facts, purpose, channel)) for channel in CONTACT_CHANNELS],
        )
        for purpose in CONTACT_PURPOSES
    ]
