"""Fixtures of the messaging tests: a real local SMTP server that can refuse recipients, the
in-memory sender in place of the e-mail channel, and templates made through the service, as
staff make them."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message as Email
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from clientela.accounts.models import Role, User
from clientela.messaging.models import Template
from clientela.messaging.schemas import TemplateCreate
from clientela.messaging.services import create_template
from clientela.messaging.services.channels import SENDERS, MemorySender, register_sender
from tests.factories import make_user

MakeTemplate = Callable[..., Template]


@dataclass
class Server:
    """What the SMTP server accepted (envelope and parsed mail); `replies` maps a recipient
    to the reply its RCPT gets instead of 250 (e.g. "550 5.1.1 no such user")."""

    mails: list[Email] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    replies: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(  # noqa: N802  (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        reply = self.replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802  (aiosmtpd's hook name)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.mails.append(message_from_bytes(envelope.original_content))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def smtp_settings(settings: Any, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Server]:
    """A real SMTP server on 127.0.0.1, with the e-mail settings pointed at it."""
    server = Server()
    port = free_port()
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    smtp_settings(settings, port)
    settings.DEFAULT_FROM_EMAIL = "Shop <shop@example.com>"
    settings.CLIENTELA_RETURN_PATH = "bounces@mail.example.com"
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def memory_sender() -> Iterator[MemorySender]:
    """The in-memory twin as the e-mail channel's sender, for the length of a test."""
    sender = MemorySender()
    before = dict(SENDERS)
    register_sender("email", lambda: sender)
    try:
        yield sender
    finally:
        SENDERS.clear()
        SENDERS.update(before)


@pytest.fixture
def marketer(db: None) -> User:
    return make_user(role=Role.MARKETING, email="marketer@example.com")


@pytest.fixture
def make_template(marketer: User) -> MakeTemplate:
    """A template saved by a marketer; `variants` maps a language to its body (or to a dict of
    subject/body/text_body)."""

    def make(
        *,
        name: str = "Welcome",
        channel: str = "email",
        purpose: str = "marketing",
        default_language: str = "en",
        variants: dict[str, Any] | None = None,
        by: User | None = None,
    ) -> Template:
        given = variants or {"en": {"subject": "Welcome", "body": "<p>Hello</p>"}}
        rows = [
            {"language": tag, **(value if isinstance(value, dict) else {"body": value})}
            for tag, value in given.items()
        ]
        data = TemplateCreate.model_validate(
            {
                "name": name,
                "channel": channel,
                "purpose": purpose,
                "default_language": default_language,
                "variants": rows,
            }
        )
        return create_template(data, by=by or marketer)

    return make
