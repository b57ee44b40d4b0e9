"""Many withdrawals at once (an import's): `record_consent`'s rules for a "no", set-based.

A withdrawal needs no wording from the person and is never refused for an erased party or a
suppressed contact (it only ever stops messages), so recording one is: skip it when the same
"no" is already in force, else append a record with the legal basis of the one in force, and
end the pending sign-up links of the party's e-mails when it is about e-mail. `withdrawals_in_
force` answers the first question for many parties at once (an import asks it while checking,
to count a row as changed or not); `record_withdrawals` appends the records in the caller's
transaction, asking it again there, so a "no" recorded meanwhile is not repeated.

Records are only ever appended here: nothing in this module updates or deletes one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from clientela.accounts.models import User
from clientela.consent.models import (
    ConsentChannel,
    ConsentRecord,
    ConsentStatus,
    ConsentWording,
    LegalBasis,
)
from clientela.consent.services.tokens import end_pending_signups
from clientela.parties.models import ContactKind, ContactPoint

_IN = 500  # ids per IN list

Key = tuple[int, str, str]  # (party id, purpose, channel)


@dataclass(frozen=True)
class Withdrawal:
    """One "no" to record: the party, the purpose on a channel, and the record's note."""

    party_id: int
    purpose: str
    channel: str
    note: str = ""


def latest_records(party_ids: Iterable[int]) -> dict[Key, tuple[str, str]]:
    """The record in force for each (party, purpose, channel) of these parties: its status and
    legal basis (the latest record, as `current_consents` reads it)."""
    ordered = sorted(set(party_ids))
    latest: dict[Key, tuple[str, str]] = {}
    for start in range(0, len(ordered), _IN):
        rows = (
            ConsentRecord.objects.filter(party_id__in=ordered[start : start + _IN])
            .order_by("party_id", "purpose", "channel", "-recorded_at", "-id")
            .values_list("party_id", "purpose", "channel", "status", "legal_basis")
        )
        for party_id, purpose, channel, status, basis in rows:
            latest.setdefault((party_id, purpose, channel), (status, basis))
    return latest


def withdrawals_in_force(party_ids: Iterable[int]) -> set[Key]:
    """The (party, purpose, channel) whose record in force is a "no"."""
    return {
        key
        for key, (status, _basis) in latest_records(party_ids).items()
        if status == ConsentStatus.WITHDRAWN
    }


def record_withdrawals(
    wanted: Sequence[Withdrawal],
    *,
    source: str,
    wording: ConsentWording,
    actor: User | None,
) -> int:
    """Append a withdrawal for each wanted (party, purpose, channel) not already withdrawn
    (the first of repeated ones), in the caller's transaction; returns how many were made."""
    latest = latest_records(w.party_id for w in wanted)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    made: list[tuple[Any, ...]] = []
    by_email: set[int] = set()
    for want in wanted:
        key = (want.party_id, want.purpose, want.channel)
        status, basis = latest.get(key, ("", LegalBasis.CONSENT))
        if status == ConsentStatus.WITHDRAWN:
            continue  # already in force: recording it again would say nothing new
        latest[key] = (ConsentStatus.WITHDRAWN, basis)
        made.append(
            (
                *(want.party_id, want.purpose, want.channel, ConsentStatus.WITHDRAWN.value),
                *(basis, source, wording.pk, actor.pk if actor else None, now, want.note[:300]),
            )
        )
        if want.channel == ConsentChannel.EMAIL:
            by_email.add(want.party_id)
    if made:  # one statement, many rows (Django's bulk_create prepares each value slowly)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(ConsentRecord._meta.db_table)} "  # noqa: S608  (the model's table)
                "(party_id, purpose, channel, status, legal_basis, source, wording_id, actor_id, "
                "recorded_at, note, user_agent) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '')",
                made,
            )
    ordered = sorted(by_email)
    for start in range(0, len(ordered), _IN):
        emails = ContactPoint.objects.filter(
            kind=ContactKind.EMAIL, party_id__in=ordered[start : start + _IN]
        ).values_list("normalized", flat=True)
        end_pending_signups(emails)
    return len(made)
