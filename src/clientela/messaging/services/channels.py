"""The seam every channel's sender implements: send one outbox message, or raise SendError."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from clientela.messaging.models import Message


@dataclass(frozen=True)
class SendResult:
    """What the provider said when it accepted the message."""

    provider_id: str
    segments: int = 1


class SendError(Exception):
    """The provider did not take the message: `transient` errors are retried, others fail it."""

    def __init__(self, message: str, *, transient: bool, error_class: str) -> None:
        super().__init__(message)
        self.transient = transient
        self.error_class = error_class


class Sender(Protocol):
    channel: str

    def send(self, message: Message) -> SendResult: ...
