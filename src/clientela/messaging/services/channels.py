"""The seam between the outbox and the outside world: one sender per channel.

A sender takes one outbox row and hands it to a provider (an SMTP server, an SMS gateway). It
answers the provider's id for the message, or raises `SendError` saying whether trying again
later may help (`transient`) and a stable `error_class` (`mailbox_full`, `rejected`,
`timeout`, `auth`, `gateway_5xx`…), which the outbox keeps as the message's reason. A sender
never swallows an error: the worker decides what happens next.

Senders are registered per channel (`register_sender`, by the channel's module or a test);
the worker opens one per channel it meets (`open_sender`) and closes it when it stops.
`MemorySender` is the in-memory twin used by tests and by benchmarks of the outbox itself.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from clientela.messaging.models import Message


@dataclass(frozen=True)
class SendResult:
    """What the provider said when it accepted a message."""

    provider_id: str
    segments: int = 1


class SendError(Exception):
    """The provider did not take the message; `transient` says whether a retry may succeed."""

    def __init__(self, message: str, *, transient: bool, error_class: str) -> None:
        super().__init__(message)
        self.transient = transient
        self.error_class = error_class


class Sender(Protocol):
    """Hands one message to the outside world on one channel."""

    channel: str

    def send(self, message: Message) -> SendResult: ...


SenderFactory = Callable[[], Sender]
SENDERS: dict[str, SenderFactory] = {}
# Whether a channel can send now (an SMS gateway is configured): until then its messages wait.
AVAILABLE: dict[str, Callable[[], bool]] = {}


def register_sender(
    channel: str, factory: SenderFactory, *, available: Callable[[], bool] | None = None
) -> None:
    """Make `factory()` the sender of this channel's messages (the last registration wins);
    `available()` says whether it can send now (by default: always)."""
    SENDERS[channel] = factory
    if available is None:
        AVAILABLE.pop(channel, None)
    else:
        AVAILABLE[channel] = available


def sending_channels() -> list[str]:
    """The channels whose messages a worker claims now: registered, and able to send."""
    return sorted(c for c in SENDERS if AVAILABLE.get(c, _always)())


def _always() -> bool:
    return True


def open_sender(channel: str) -> Sender | None:
    """A fresh sender for the channel, or None when no sender is registered for it."""
    factory = SENDERS.get(channel)
    return factory() if factory is not None else None


def close_sender(sender: Sender) -> None:
    """Let a sender release what it holds (a connection), if it holds anything."""
    close = getattr(sender, "close", None)
    if callable(close):
        close()


@dataclass
class MemorySender:
    """The in-memory twin of a sender: keeps what it was given, fails when told to.

    `failures` maps a message's address to the errors to raise, one per attempt, in order.
    """

    channel: str = "email"
    sent: list[Message] = field(default_factory=list)
    failures: dict[str, list[SendError]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, message: Message) -> SendResult:
        with self._lock:
            pending = self.failures.get(message.address)
            if pending:
                raise pending.pop(0)
            self.sent.append(message)
            return SendResult(provider_id=f"memory-{next(self._ids)}")
