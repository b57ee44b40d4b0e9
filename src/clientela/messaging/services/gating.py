"""The consent gate for a claim of messages: read set-based once, re-asked when it changed.

Asking `may_contact` one message at a time costs a dozen queries each, more than sending the
message. So a worker asks `may_contact_many` once for its whole claim, noting where the
consent tables stood (the last consent record and suppression, the moment). Right before each
message leaves, one query asks whether anything the gate reads about that party changed
since: a new consent record (an RFC 8058 unsubscribe writes one), changed preferences
(pause, quiet hours, limits), a new or lifted suppression anywhere. If so, that message is
decided again by `may_contact` at that moment; an opt-out that commits mid-send therefore
stops every message to that party that had not left yet. An erasure cancels the party's
messages itself (the messaging eraser), which the same query sees.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, Max, Q, QuerySet
from django.utils import timezone

from clientela.consent.models import ConsentRecord, Preferences, SuppressedContact
from clientela.consent.services import Decision, may_contact, may_contact_many
from clientela.core import prepared
from clientela.messaging.models import Message, MessageState


@dataclass(frozen=True)
class Snapshot:
    """The gate's answers for a claim, and where the consent tables stood when it was read."""

    decisions: dict[tuple[int, str, str], Decision]
    at: datetime
    last_record: int
    last_suppression: int


def _last_id(model: type[ConsentRecord] | type[SuppressedContact]) -> int:
    return int(model.objects.aggregate(last=Max("id"))["last"] or 0)


def read_gate(messages: list[Message]) -> Snapshot:
    """Ask the gate once for every message of a claim (the marks first, so that nothing
    written while the answers are read goes unnoticed)."""
    at = timezone.now()
    last_record = _last_id(ConsentRecord)
    last_suppression = _last_id(SuppressedContact)
    groups: dict[tuple[str, str], dict[int, Message]] = defaultdict(dict)
    for message in messages:
        groups[(message.purpose, message.channel)][message.party_id] = message
    decisions: dict[tuple[int, str, str], Decision] = {}
    for (purpose, channel), by_party in groups.items():
        moments = [(m.party, at) for m in by_party.values()]
        answers = may_contact_many(moments, purpose=purpose, channel=channel)
        for party_id, decision in answers.items():
            decisions[(party_id, purpose, channel)] = decision
    return Snapshot(decisions, at, last_record, last_suppression)


def _still_ours_query(
    pk: int, worker: str, party_id: int, last_record: int, at: datetime, last_suppression: int
) -> QuerySet[Any]:
    changed = (
        Exists(ConsentRecord.objects.filter(party_id=party_id, id__gt=last_record))
        | Exists(Preferences.objects.filter(party_id=party_id, updated_at__gte=at))
        | Exists(
            SuppressedContact.objects.filter(Q(id__gt=last_suppression) | Q(lifted_at__gte=at))
        )
    )
    return (
        Message.objects.filter(pk=pk, state=MessageState.LEASED, leased_by=worker)
        .annotate(changed=changed)
        .values_list("changed")
    )


def still_ours(message: Message, worker: str, snapshot: Snapshot) -> tuple[bool, bool]:
    """(the message is still leased to this worker, the gate's facts changed since the
    snapshot), in one query compiled once per process (it runs once per message)."""
    found = prepared.rows(
        ("messaging.still_ours",),
        _still_ours_query,
        {
            "pk": message.pk,
            "worker": worker,
            "party_id": message.party_id,
            "last_record": snapshot.last_record,
            "at": snapshot.at,
            "last_suppression": snapshot.last_suppression,
        },
    )
    if not found:
        return False, False
    return True, bool(found[0][0])


def decide(message: Message, snapshot: Snapshot, *, changed: bool) -> Decision:
    """The gate's answer for this message now: the snapshot's, or asked again if it changed."""
    known = snapshot.decisions.get((message.party_id, message.purpose, message.channel))
    if changed or known is None:
        return may_contact(
            message.party, purpose=message.purpose, channel=message.channel, at=timezone.now()
        )
    return known
