"""Where returned mail is read from: an mbox file, or the bounce mailbox over IMAP.

`CLIENTELA_BOUNCE_IMAP_URL` names the mailbox: `imaps://USER:PASSWORD@HOST[:PORT]/FOLDER`
(TLS; `imap://` only for a server on the same machine). Unseen mail is read without marking it,
each mail is ingested and committed on its own, and only then flagged \\Seen, so a crash
between the two reads the mail again, which changes nothing (see bounces.ingest_report).
"""

from __future__ import annotations

import imaplib
import mailbox
import os
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from clientela.core.errors import Unavailable, invalid
from clientela.messaging.services.bounces import ingest_report

IMAP_TIMEOUT = 30.0
RETRY_AFTER = 300


class ReturnedMail(Protocol):
    """A source of returned mail: (key, raw mail) pairs, and a way to say one is done."""

    def unread(self) -> Iterator[tuple[str, bytes]]: ...

    def done(self, key: str) -> None: ...


@dataclass
class Summary:
    """What one pass over a mailbox read and did."""

    read: int = 0
    kept: int = 0
    duplicates: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    effects: dict[str, int] = field(default_factory=dict)


def ingest_mail(source: ReturnedMail, *, name: str) -> Summary:
    """Ingest every unread mail of the source, one transaction each, then mark it done."""
    summary = Summary()
    for key, raw in source.unread():
        with transaction.atomic():
            outcome = ingest_report(raw, source=name)
        source.done(key)
        summary.read += 1
        summary.kinds[outcome.kind] = summary.kinds.get(outcome.kind, 0) + 1
        if outcome.duplicate:
            summary.duplicates += 1
        elif outcome.report is not None:
            summary.kept += 1
            for effect in outcome.effects:
                summary.effects[effect] = summary.effects.get(effect, 0) + 1
    return summary


@dataclass
class MboxFile:
    """An mbox file, read as it is (nothing is removed from it: re-reading it is harmless)."""

    path: Path

    def unread(self) -> Iterator[tuple[str, bytes]]:
        if not self.path.is_file():
            raise invalid(
                "mbox", str(self.path), _("is not a readable file"), code="mbox_not_found"
            )
        box = mailbox.mbox(self.path, create=False)
        try:
            for key in box.iterkeys():
                yield str(key), box.get_bytes(key)
        finally:
            box.close()

    def done(self, key: str) -> None:
        return None


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    user: str
    password: str
    folder: str
    tls: bool


def imap_settings(url: str | None = None) -> ImapSettings:
    """The bounce mailbox from CLIENTELA_BOUNCE_IMAP_URL; Invalid with a code when unusable."""
    url = settings.CLIENTELA_BOUNCE_IMAP_URL if url is None else url
    if not url:
        raise invalid(
            "CLIENTELA_BOUNCE_IMAP_URL",
            "",
            _("is not set: name the bounce mailbox as imaps://USER:PASSWORD@HOST/FOLDER"),
            code="bounce_imap_not_configured",
        )
    parts = urlsplit(url)
    shown = f"{parts.scheme}://{parts.hostname or ''}{parts.path}"  # never the password
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (
        parts.scheme not in {"imap", "imaps"}
        or not parts.hostname
        or not parts.username
        or port == -1
    ):
        raise invalid(
            "CLIENTELA_BOUNCE_IMAP_URL",
            shown,
            _("is not imaps://USER:PASSWORD@HOST[:PORT]/FOLDER"),
            code="bounce_imap_url_invalid",
        )
    tls = parts.scheme == "imaps"
    return ImapSettings(
        host=parts.hostname,
        port=port or (993 if tls else 143),
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        tls=tls,
    )


class ImapMailbox:
    """The bounce mailbox over IMAP (imaplib): unseen mail, flagged \\Seen once ingested."""

    def __init__(
        self,
        config: ImapSettings,
        *,
        connect: Callable[[ImapSettings], imaplib.IMAP4] | None = None,
    ) -> None:
        self.config = config
        self.client = (connect or _connect)(config)

    def unread(self) -> Iterator[tuple[str, bytes]]:
        status, data = self.client.uid("SEARCH", "UNSEEN")
        _check(status, self.config)
        uids = data[0].split() if data and data[0] else []
        for uid in uids:
            status, parts = self.client.uid("FETCH", uid, "(BODY.PEEK[])")
            _check(status, self.config)
            raw = next((p[1] for p in parts if isinstance(p, tuple) and len(p) > 1), None)
            if isinstance(raw, bytes):
                yield uid.decode("ascii"), raw

    def done(self, key: str) -> None:
        status, _data = self.client.uid("STORE", key, "+FLAGS", "(\\Seen)")
        _check(status, self.config)

    def close(self) -> None:
        try:
            self.client.close()
            self.client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


def _unavailable(config: ImapSettings, reason: str) -> Unavailable:
    return Unavailable(
        _("the bounce mailbox %(host)s cannot be read now: %(reason)s"),
        retry_after=RETRY_AFTER,
        code="bounce_imap_unavailable",
        params={"host": config.host, "reason": reason[:200]},
    )


def _check(status: str, config: ImapSettings) -> None:
    if status != "OK":
        raise _unavailable(config, f"the server answered {status}")


def _connect(config: ImapSettings) -> imaplib.IMAP4:
    try:
        if config.tls:
            context = ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE"))
            client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                config.host, config.port, ssl_context=context, timeout=IMAP_TIMEOUT
            )
        else:
            client = imaplib.IMAP4(config.host, config.port, timeout=IMAP_TIMEOUT)
    except (imaplib.IMAP4.error, OSError) as exc:
        raise _unavailable(config, str(exc) or type(exc).__name__) from exc
    try:
        client.login(config.user, config.password)
        status, _data = client.select(_quoted(config.folder))
        _check(status, config)
    except (imaplib.IMAP4.error, OSError, Unavailable) as exc:
        client.shutdown()
        if isinstance(exc, Unavailable):
            raise
        raise _unavailable(config, str(exc) or type(exc).__name__) from exc
    return client


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ingest_imap(url: str | None = None) -> Summary:
    """One pass over the configured bounce mailbox."""
    config = imap_settings(url)
    box = ImapMailbox(config)
    try:
        return ingest_mail(box, name="imap")
    except (imaplib.IMAP4.error, OSError) as exc:
        raise _unavailable(config, str(exc) or type(exc).__name__) from exc
    finally:
        box.close()


def ingest_mbox(path: str | Path) -> Summary:
    """One pass over an mbox file."""
    return ingest_mail(MboxFile(Path(path)), name="mbox")
