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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from clientela.consent.services import contact_point_for, may_contact, record_contact
from clientela.messaging.models import Message, MessageState
from clientela.messaging.services.channels import (
    SENDERS,
    Sender,
    SendError,
    SendResult,
    close_sender,
    open_sender,
)

log = logging.getLogger("clientela.messaging")

BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
)
MAX_ATTEMPTS = 5
CLAIM_SIZE = 20


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
    return (waiting | abandoned) & Q(channel__in=sorted(SENDERS))


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


def _close(message: Message, state: str, reason: str) -> str:
    Message.objects.filter(pk=message.pk).update(
        state=state, reason=reason, leased_by="", leased_until=None
    )
    return state


def prepare(pk: int, worker: str) -> Message | str:
    """Make one claimed message ready to leave, or say why it will not (its new state).

    Renews the lease, then checks the deadline and the consent gate at this moment.
    """
    now = timezone.now()
    with transaction.atomic():
        mine = Message.objects.filter(pk=pk, state=MessageState.LEASED, leased_by=worker)
        if not mine.update(leased_until=now + lease_length()):
            return "lost"  # cancelled, or taken over after our lease ran out
        message = Message.objects.select_related("party", "created_by").get(pk=pk)
        if message.not_after is not None and now > message.not_after:
            return _close(message, MessageState.MISSED, "deadline")
        decision = may_contact(
            message.party, purpose=message.purpose, channel=message.channel, at=now
        )
        if not decision.allowed:
            state = MessageState.CANCELLED if decision.reason == "erased" else MessageState.SKIPPED
            return _close(message, state, decision.reason)
        point = contact_point_for(message.party, message.channel)
        if point is None:  # the gate answers no_contact_point first; kept for the type
            return _close(message, MessageState.SKIPPED, "no_contact_point")
        if point.value != message.address:
            message.address = point.value
            Message.objects.filter(pk=pk).update(address=point.value)
        return message


def record_sent(message: Message, result: SendResult) -> None:
    """The provider took the message: commit it as sent, and count the contact."""
    now = timezone.now()
    with transaction.atomic():
        done = Message.objects.filter(pk=message.pk, state=MessageState.LEASED).update(
            state=MessageState.SENT,
            sent_at=now,
            provider_id=result.provider_id[:200],
            reason="",
            leased_by="",
            leased_until=None,
        )
        if done:
            record_contact(
                message.party,
                purpose=message.purpose,
                channel=message.channel,
                at=now,
                reference=message.token,
            )


def record_failure(message: Message, error: SendError) -> str:
    """The provider refused: retry later (transient, attempts left) or fail this message."""
    attempts = Message.objects.filter(pk=message.pk).values_list("attempts", flat=True).first()
    attempts = attempts or message.attempts
    with transaction.atomic():
        mine = Message.objects.filter(pk=message.pk, state=MessageState.LEASED)
        if error.transient and attempts < MAX_ATTEMPTS:
            wait = BACKOFF[min(attempts, len(BACKOFF)) - 1]
            mine.update(
                state=MessageState.QUEUED,
                reason=error.error_class[:40],
                not_before=timezone.now() + wait,
                leased_by="",
                leased_until=None,
            )
            return "retry"
        mine.update(
            state=MessageState.FAILED,
            reason=error.error_class[:40],
            leased_by="",
            leased_until=None,
        )
        return MessageState.FAILED


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


def deliver(pk: int, worker: str, senders: Senders) -> str:
    """Send one claimed message; returns its outcome."""
    prepared = prepare(pk, worker)
    if isinstance(prepared, str):
        return prepared
    sender = senders.get(prepared.channel)
    if sender is None:  # its sender was unregistered after the claim: leave it for later
        release([pk], worker)
        return "released"
    try:
        result = sender.send(prepared)
    except SendError as error:
        log.info("message %s not sent: %s (%s)", pk, error.error_class, error)
        return record_failure(prepared, error)
    record_sent(prepared, result)
    return MessageState.SENT


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
            for index, pk in enumerate(ids):
                if should_stop():
                    release(ids[index:], worker)
                    break
                tally.add(deliver(pk, worker, senders))
    finally:
        senders.close()
    return tally
