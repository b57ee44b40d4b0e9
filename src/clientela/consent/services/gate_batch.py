"""The send gate for many parties at once: the same rules as `may_contact`, read set-based.

A call list of thousands of parties asks the gate once per party; reading each party's facts
one by one would cost a handful of queries each. `may_contact_many` reads every fact for the
whole batch in a few queries and then decides each party with the gate's own `_decide`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import TypeVar

from clientela.commerce.models import Order, OrderStatus
from clientela.consent.models import (
    ConsentRecord,
    ContactLog,
    Preferences,
    PrivacyRequest,
    Purpose,
    RequestKind,
    RequestStatus,
)
from clientela.consent.services.gate import Decision, _check_request, _decide, _Facts
from clientela.consent.services.suppression import (
    SUPPRESSIBLE,
    active_suppressions,
    suppression_digest,
)
from clientela.parties.models import ContactPoint, Party, PartyRole, RelationshipRole

CHUNK = 2000  # ids per query: under every engine's limit of bound parameters
T = TypeVar("T")


def _chunks(items: list[T]) -> Iterator[list[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


class _KnownFacts(_Facts):
    """One party's facts, read beforehand for the whole batch (see `_Facts`)."""

    def __init__(
        self,
        party: Party,
        at: datetime,
        *,
        erased: bool,
        points: list[ContactPoint],
        suppressed: set[int],
        consents: dict[tuple[str, str], ConsentRecord],
        is_customer: bool,
        prefs: Preferences,
        sent: list[datetime],
    ) -> None:
        super().__init__(party, at)
        # The gate's cached properties, filled in advance (cached_property stores in __dict__).
        self.__dict__.update(
            erased=erased,
            points=points,
            _suppressed=suppressed,
            consents=consents,
            is_customer=is_customer,
            prefs=prefs,
            _sent_times=sent,
        )


class _Batch:
    """Every fact the gate reads, for a batch of parties, in a few queries per chunk."""

    def __init__(self, ids: list[int], earliest: datetime, latest: datetime) -> None:
        self.erased: set[int] = set()
        self.points: dict[int, list[ContactPoint]] = defaultdict(list)
        self.consents: dict[int, dict[tuple[str, str], ConsentRecord]] = defaultdict(dict)
        self.customers: set[int] = set()
        self.prefs: dict[int, Preferences] = {}
        self.sent: dict[int, list[datetime]] = defaultdict(list)
        for chunk in _chunks(ids):
            self._read(chunk, earliest, latest)
        self.suppressed = self._suppressed()

    def _read(self, ids: list[int], earliest: datetime, latest: datetime) -> None:
        self.erased.update(
            PrivacyRequest.objects.filter(
                party_id__in=ids, kind=RequestKind.ERASURE, status=RequestStatus.COMPLETED
            ).values_list("party_id", flat=True)
        )
        points = ContactPoint.objects.filter(party_id__in=ids).only(
            "id", "party_id", "kind", "normalized", "is_primary"
        )
        for point in points.order_by("id"):
            self.points[point.party_id].append(point)
        records = (
            ConsentRecord.objects.filter(party_id__in=ids)
            .only("id", "party_id", "purpose", "channel", "status", "legal_basis", "recorded_at")
            .order_by("-recorded_at", "-id")
        )
        for record in records:
            self.consents[record.party_id].setdefault((record.purpose, record.channel), record)
        self.customers.update(
            Order.objects.filter(party_id__in=ids, status=OrderStatus.COMPLETED).values_list(
                "party_id", flat=True
            )
        )
        self.customers.update(
            PartyRole.objects.filter(party_id__in=ids, role=RelationshipRole.CUSTOMER).values_list(
                "party_id", flat=True
            )
        )
        self.prefs.update((p.party_id, p) for p in Preferences.objects.filter(party_id__in=ids))
        logs = (
            ContactLog.objects.filter(
                party_id__in=ids, at__lte=latest, at__gt=earliest - timedelta(days=30)
            )
            .exclude(purpose=Purpose.TRANSACTIONAL)
            .values_list("party_id", "at")
        )
        for party_id, at in logs:
            self.sent[party_id].append(at)

    def _suppressed(self) -> dict[int, set[int]]:
        digests = {
            suppression_digest(p.kind, p.normalized): p
            for points in self.points.values()
            for p in points
            if p.kind in SUPPRESSIBLE
        }
        found: dict[int, set[int]] = defaultdict(set)
        keys = list(digests)
        for chunk in _chunks(keys):
            for digest in (
                active_suppressions().filter(digest__in=chunk).values_list("digest", flat=True)
            ):
                point = digests[digest]
                found[point.party_id].add(point.pk)
        return found

    def facts(self, party: Party, at: datetime) -> _Facts:
        pk = party.pk
        return _KnownFacts(
            party,
            at,
            erased=pk in self.erased,
            points=self.points.get(pk, []),
            suppressed=self.suppressed.get(pk, set()),
            consents=self.consents.get(pk, {}),
            is_customer=pk in self.customers,
            prefs=self.prefs.get(pk) or Preferences(party=party),
            sent=[moment for moment in self.sent.get(pk, []) if moment <= at],
        )


def may_contact_many(
    moments: Iterable[tuple[Party, datetime]], *, purpose: str, channel: str
) -> dict[int, Decision]:
    """The gate's answer for each (party, moment), by party id: `may_contact` for many.

    Each party is decided at its own moment (its quiet hours and caps are read then), with
    the same rules and in the same order as `may_contact`.
    """
    _check_request(purpose, channel)
    pairs = list(moments)
    if not pairs:
        return {}
    times = [at for _party, at in pairs]
    batch = _Batch([party.pk for party, _at in pairs], min(times), max(times))
    return {party.pk: _decide(batch.facts(party, at), purpose, channel) for party, at in pairs}
