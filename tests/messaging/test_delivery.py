"""The worker's side of the outbox: claim, gate at claim time, send, retry, deadlines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from clientela.consent.models import ContactLog
from clientela.consent.services import erase_party
from clientela.messaging.models import Message, SourceKind
from clientela.messaging.services import Content, MemorySender, SendError, drain, enqueue
from clientela.messaging.services.delivery import BACKOFF, MAX_ATTEMPTS, claim
from clientela.parties.models import Party
from tests.consent.conftest import grant, withdraw
from tests.factories import make_party

pytestmark = pytest.mark.django_db

HELLO = Content(subject="Hello", body_text="Your order is ready.")


def queue(party: Party, purpose: str = "transactional", **fields: object) -> Message:
    return enqueue(party, "email", purpose, SourceKind.STAFF, content=HELLO, **fields)  # type: ignore[arg-type]  # keyword fields of enqueue


def state(message: Message) -> tuple[str, str]:
    message.refresh_from_db()
    return message.state, message.reason


def test_a_queued_message_is_sent_once_and_counted_by_the_gate(
    memory_sender: MemorySender,
) -> None:
    party = make_party(email="ana@example.com")
    message = queue(party)
    assert drain().counts == {"sent": 1}
    assert state(message) == ("sent", "")
    assert [m.address for m in memory_sender.sent] == ["ana@example.com"]
    assert ContactLog.objects.filter(party=party, reference=message.token).count() == 1
    assert drain().total == 0
    assert len(memory_sender.sent) == 1


def test_marketing_without_consent_is_skipped_with_the_gates_reason(
    memory_sender: MemorySender,
) -> None:
    party = make_party(email="ana@example.com", roles=())
    message = queue(party, "marketing")
    drain()
    assert state(message) == ("skipped", "never_given")
    assert memory_sender.sent == []


def test_consent_withdrawn_after_queueing_stops_the_message(memory_sender: MemorySender) -> None:
    party = make_party(email="ana@example.com")
    grant(party)
    message = queue(party, "marketing")
    withdraw(party)
    drain()
    assert state(message) == ("skipped", "withdrawn")
    assert memory_sender.sent == []


def test_an_erased_partys_queued_messages_are_cancelled_and_blanked(
    memory_sender: MemorySender,
) -> None:
    party = make_party(email="ana@example.com")
    message = queue(party)
    erase_party(party, by=None)
    message.refresh_from_db()
    assert (message.state, message.reason, message.subject, message.body_text) == (
        "cancelled",
        "erased",
        "",
        "",
    )
    drain()
    assert memory_sender.sent == []


def test_a_message_past_its_deadline_is_missed_never_sent_late(
    memory_sender: MemorySender,
) -> None:
    party = make_party(email="ana@example.com")
    message = queue(party, not_after=timezone.now() + timedelta(hours=1))
    Message.objects.filter(pk=message.pk).update(not_after=timezone.now() - timedelta(seconds=1))
    drain()
    assert state(message) == ("missed", "deadline")
    assert memory_sender.sent == []


def test_a_message_waits_for_its_start(memory_sender: MemorySender) -> None:
    party = make_party(email="ana@example.com")
    message = queue(party, not_before=timezone.now() + timedelta(minutes=10))
    assert drain().total == 0
    assert state(message) == ("queued", "")


def test_transient_errors_retry_with_backoff_then_fail(memory_sender: MemorySender) -> None:
    party = make_party(email="ana@example.com")
    message = queue(party)
    memory_sender.failures["ana@example.com"] = [
        SendError("451 try later", transient=True, error_class="deferred")
        for _ in range(MAX_ATTEMPTS)
    ]
    waits = []
    for _ in range(MAX_ATTEMPTS - 1):
        before = timezone.now()
        drain()
        message.refresh_from_db()
        assert (message.state, message.reason) == ("queued", "deferred")
        waits.append(message.not_before - before)
        Message.objects.filter(pk=message.pk).update(not_before=timezone.now())
    for wait, expected in zip(waits, BACKOFF, strict=True):
        assert expected <= wait < expected + timedelta(seconds=5)
    drain()
    assert state(message) == ("failed", "deferred")
    message.refresh_from_db()
    assert message.attempts == MAX_ATTEMPTS
    assert memory_sender.sent == []


def test_a_permanent_error_fails_that_message_alone(memory_sender: MemorySender) -> None:
    bad = queue(make_party(email="gone@example.com"))
    good = queue(make_party(email="ana@example.com"))
    memory_sender.failures["gone@example.com"] = [
        SendError("550 no such user", transient=False, error_class="rejected")
    ]
    assert drain().counts == {"failed": 1, "sent": 1}
    assert state(bad) == ("failed", "rejected")
    assert state(good) == ("sent", "")


def test_an_expired_lease_is_claimed_again(memory_sender: MemorySender) -> None:
    message = queue(make_party(email="ana@example.com"))
    assert claim("dead-worker") == [message.pk]
    assert drain().total == 0  # still leased by the dead worker
    Message.objects.filter(pk=message.pk).update(leased_until=timezone.now() - timedelta(seconds=1))
    assert drain().counts == {"sent": 1}
    message.refresh_from_db()
    assert (message.state, message.attempts) == ("sent", 2)


def test_a_stopping_worker_gives_its_claim_back(memory_sender: MemorySender) -> None:
    messages = [queue(make_party(email=f"p{i}@example.com")) for i in range(3)]
    calls = iter([False, False, True])
    tally = drain(should_stop=lambda: next(calls, True))
    assert tally.counts == {"sent": 1}
    states = sorted(state(m)[0] for m in messages)
    assert states == ["queued", "queued", "sent"]
    assert Message.objects.filter(state="queued", attempts=0, leased_by="").count() == 2
