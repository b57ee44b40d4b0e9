"""The worker's side of the outbox: claim, ask the gate, send, and commit each result.

A worker claims a few due messages at a time with a lease (on PostgreSQL with
`FOR UPDATE SKIP LOCKED`, so workers on several machines never claim the same row; on SQLite
every transaction starts IMMEDIATE, so a claim is one short write while no one else writes).
Right before each message leaves, in its own short transaction, the worker renews its lease,
drops a message past its deadline (missed, never sent late), and asks the consent gate at that
moment: a refusal skips the message with the gate's reason, an erased party's message is
cancelled. The result is committed after the provider accepted the message, with the contact
recorded for the gate's frequency limits. A worker killed between the provider's answer and
that commit leaves the message leased: when the lease runs out another claim sends it again,
so a crash costs at most the messages leased at that moment, never a lost one.

Transient errors retry after 1 min, 5 min, 30 min and 2 h (5 attempts in all); a permanent
error fails that message alone. A worker asked to stop finishes the message in hand and
gives the rest of its claim back, so stopping and starting again sends nothing twice.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from clientela.consent.services import contact_point_for, record_contact
from clientela.messaging.models import Message, MessageState
from clientela.messaging.services.channels import (
    Sender,
    SendError,
    SendResult,
    close_sender,
    open_sender,
    sending_channels,
)
from clientela.messaging.services.gating import Snapshot, decide, read_gate, still_ours

log = logging.getLogger("clientela.messaging")

BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
MAX_ATTEMPTS = 5
CLAIM_SIZE = 50
# Outcomes wait at most this long for their commit (all of a claim's wait for its end otherwise).
COMMIT_SECONDS = 0.5


def lease_length() -> timedelta:
    """How long a claim holds a message: CLIENTELA_OUTBOX_LEASE_SECONDS (default 300)."""
    return timedelta(seconds=float(getattr(settings, "CLIENTELA_OUTBOX_LEASE_SECONDS", 300)))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Tally:
    """What one run of the worker did, message by message outcome."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: str) -> None:
        key = str(outcome)
        self.counts[key] = self.counts.get(key, 0) + 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _due(now: datetime) -> Q:
    waiting = Q(state=MessageState.QUEUED, not_before__lte=now)
    abandoned = Q(state=MessageState.LEASED, leased_until__lt=now)
    return (waiting | abandoned) & Q(channel__in=sending_channels())


def claim(worker: str, *, limit: int = CLAIM_SIZE) -> list[int]:
    """Lease up to `limit` due messages (waiting, or abandoned by a dead worker) to `worker`."""
    now = timezone.now()
    with transaction.atomic():
        due = Message.objects.filter(_due(now)).order_by("not_before", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:limit])
        if ids:
            Message.objects.filter(pk__in=ids).update(
                state=MessageState.LEASED,
                leased_by=worker,
                leased_until=now + lease_length(),
                attempts=F("attempts") + 1,
            )
    return ids


def release(ids: list[int], worker: str) -> int:
    """Give claimed messages back untouched (a worker asked to stop)."""
    with transaction.atomic():
        return Message.objects.filter(
            pk__in=ids, state=MessageState.LEASED, leased_by=worker
        ).update(
            state=MessageState.QUEUED,
            leased_by="",
            leased_until=None,
            attempts=F("attempts") - 1,
        )


@dataclass
class Outcome:
    """One message's end in this round, waiting for the round's next commit."""

    message: Message
    state: str
    reason: str = ""
    result: SendResult | None = None
    retry_at: datetime | None = None


def load(ids: list[int]) -> list[Message]:
    """A claim's messages with their parties, authors and addresses, in a few queries."""
    rows = Message.objects.filter(pk__in=ids).select_related("party", "created_by")
    by_id = {m.pk: m for m in rows.prefetch_related("party__contact_points")}
    return [by_id[pk] for pk in ids if pk in by_id]


def prepare(message: Message, worker: str, snapshot: Snapshot) -> Message | Outcome | None:
    """Check one claimed message right before it leaves; None if it is no longer ours.

    Reads only (no write, no commit): the deadline, then the consent gate at this moment (the
    claim's answer, or asked again when the party's consent changed since), so an opt-out
    committed a moment ago stops it. The answer is the message to send, or its end.
    """
    ours, changed = still_ours(message, worker, snapshot)
    if not ours:
        return None  # cancelled (an erasure), or taken over after our lease ran out
    if message.not_after is not None and timezone.now() > message.not_after:
        return Outcome(message, MessageState.MISSED, "deadline")
    if changed:  # read the party and its addresses again, as they are now
        message = Message.objects.select_related("party", "created_by").get(pk=message.pk)
    decision = decide(message, snapshot, changed=changed)
    if not decision.allowed:
        state = MessageState.CANCELLED if decision.reason == "erased" else MessageState.SKIPPED
        return Outcome(message, state, decision.reason)
    point = contact_point_for(message.party, message.channel)
    if point is None:  # the gate answers no_contact_point first; kept for the type
        return Outcome(message, MessageState.SKIPPED, "no_contact_point")
    message.address = point.value
    return message


def failure(message: Message, error: SendError) -> Outcome:
    """The provider refused: retry later (transient, attempts left) or fail this message."""
    reason = error.error_class[:40]
    if error.transient and message.attempts < MAX_ATTEMPTS:
        wait = BACKOFF[min(message.attempts, len(BACKOFF)) - 1]
        return Outcome(message, MessageState.QUEUED, reason, retry_at=timezone.now() + wait)
    return Outcome(message, MessageState.FAILED, reason)


def _write(outcome: Outcome, now: datetime) -> None:
    message = outcome.message
    mine = Message.objects.filter(pk=message.pk, state=MessageState.LEASED)
    done = {"reason": outcome.reason, "leased_by": "", "leased_until": None}
    if outcome.state == MessageState.SENT and outcome.result is not None:
        if mine.update(
            state=MessageState.SENT,
            sent_at=now,
            address=message.address,
            provider_id=outcome.result.provider_id[:200],
            **done,
        ):
            record_contact(
                message.party,
                purpose=message.purpose,
                channel=message.channel,
                at=now,
                reference=message.token,
            )
    elif outcome.retry_at is not None:
        mine.update(state=MessageState.QUEUED, not_before=outcome.retry_at, **done)
    else:
        mine.update(state=outcome.state, **done)


def commit(outcomes: list[Outcome], *, worker: str, still_mine: list[int]) -> None:
    """Write the round's outcomes in one transaction (and renew the lease on the rest).

    Each result is written after its provider accepted it; one commit for several saves the
    durable commit (an fsync on SQLite) that would otherwise cost more than the send itself.
    """
    if not outcomes:
        return
    now = timezone.now()
    with transaction.atomic():
        for outcome in outcomes:
            _write(outcome, now)
        if still_mine:
            Message.objects.filter(
                pk__in=still_mine, state=MessageState.LEASED, leased_by=worker
            ).update(leased_until=now + lease_length())
    outcomes.clear()


class Senders:
    """The senders a worker opened, one per channel, closed when it stops."""

    def __init__(self) -> None:
        self._open: dict[str, Sender | None] = {}

    def get(self, channel: str) -> Sender | None:
        if channel not in self._open:
            self._open[channel] = open_sender(channel)
        return self._open[channel]

    def close(self) -> None:
        for sender in self._open.values():
            if sender is not None:
                close_sender(sender)
        self._open.clear()


def deliver(message: Message, worker: str, senders: Senders, snapshot: Snapshot) -> Outcome | None:
    """Send one claimed message; its outcome, to be committed (None: no longer ours)."""
    pk = message.pk
    prepared = prepare(message, worker, snapshot)
    if not isinstance(prepared, Message):
        return prepared
    sender = senders.get(prepared.channel)
    if sender is None:  # unregistered since the claim: give it back as it was
        release([pk], worker)
        return None
    try:
        result = sender.send(prepared)
    except SendError as error:
        log.info("message %s not sent: %s (%s)", pk, error.error_class, error)
        return failure(prepared, error)
    return Outcome(prepared, MessageState.SENT, result=result)


def _round(
    ids: list[int], worker: str, senders: Senders, should_stop: Callable[[], bool], tally: Tally
) -> None:
    """Send one claim's messages, committing outcomes at least every COMMIT_SECONDS."""
    messages = load(ids)
    prepare_senders(messages, senders)
    snapshot = read_gate(messages)
    outcomes: list[Outcome] = []
    since = time.monotonic()
    for index, message in enumerate(messages):
        if should_stop():
            commit(outcomes, worker=worker, still_mine=[])
            release([m.pk for m in messages[index:]], worker)
            return
        outcome = deliver(message, worker, senders, snapshot)
        if outcome is None:
            tally.add("lost")
            continue
        outcomes.append(outcome)
        tally.add("retry" if outcome.retry_at is not None else outcome.state)
        if time.monotonic() - since >= COMMIT_SECONDS:
            commit(outcomes, worker=worker, still_mine=[m.pk for m in messages[index + 1 :]])
            since = time.monotonic()
    commit(outcomes, worker=worker, still_mine=[])


def prepare_senders(messages: list[Message], senders: Senders) -> None:
    """Let each channel's sender get ready for a claim in one transaction (the e-mail channel
    issues the claim's unsubscribe links at once), when it has something to do."""
    by_channel: dict[str, list[Message]] = {}
    for message in messages:
        by_channel.setdefault(message.channel, []).append(message)
    for channel, group in sorted(by_channel.items()):
        ready = getattr(senders.get(channel), "prepare", None)
        if callable(ready):
            with transaction.atomic():
                ready(group)


def drain(
    *,
    worker: str | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    limit: int | None = None,
) -> Tally:
    """Send due messages until none is left (or `limit` were handled, or asked to stop)."""
    worker = worker or worker_name()
    tally = Tally()
    senders = Senders()
    try:
        while not should_stop() and (limit is None or tally.total < limit):
            ids = claim(worker, limit=CLAIM_SIZE if limit is None else min(CLAIM_SIZE, limit))
            if not ids:
                break
            _round(ids, worker, senders, should_stop, tally)
    finally:
        senders.close()
    return tally
