"""Reading the links out of the mails the local SMTP server caught."""

from __future__ import annotations

import re
from email.message import Message

LINK = re.compile(r"https?://\S+")


def body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def link_in(message: Message, part: str) -> str:
    """The first address in the mail whose path holds `part` ("/invitation/")."""
    found = [str(url) for url in LINK.findall(body(message)) if part in url]
    assert found, body(message)
    return found[0]
