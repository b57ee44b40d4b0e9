"""Fixtures of the consent tests: a real local SMTP server and consent helpers."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.http import StreamingHttpResponse

from clientela.consent.models import ConsentRecord, ConsentSource, ConsentStatus
from clientela.consent.services import Proof, record_consent, store_wording
from clientela.parties.models import Party

WORDING = "Yes, send me offers by e-mail. I can unsubscribe at any time."


@dataclass
class Inbox:
    """Messages the local SMTP server accepted, parsed."""

    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802  (aiosmtpd's hook name)
        self.messages.append(message_from_bytes(envelope.original_content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_inbox(settings: Any) -> Iterator[Inbox]:
    """A real SMTP server on 127.0.0.1, with Django's SMTP backend pointed at it."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    try:
        yield inbox
    finally:
        controller.stop()


def grant(party: Party, purpose: str = "marketing", channel: str = "email") -> ConsentRecord:
    return record_consent(
        party,
        purpose=purpose,
        channel=channel,
        status=ConsentStatus.GRANTED,
        source=ConsentSource.WEB_FORM,
        wording=store_wording(WORDING, version="test-1"),
        proof=Proof(ip="203.0.113.7", user_agent="TestBrowser/1.0"),
    )


def withdraw(party: Party, purpose: str = "marketing", channel: str = "email") -> ConsentRecord:
    return record_consent(
        party,
        purpose=purpose,
        channel=channel,
        status=ConsentStatus.WITHDRAWN,
        source=ConsentSource.STAFF,
    )


def streamed(response: object) -> bytes:
    """The whole body of a streamed response (a download, an export), read to its end."""
    assert isinstance(response, StreamingHttpResponse)
    chunks = response.streaming_content
    assert isinstance(chunks, Iterator)
    return b"".join(chunks)
