"""The e-mail channel: one message, one SMTP transaction, on a connection kept open.

The server is the one CLIENTELA_EMAIL_URL names (parsed by settings into Django's EMAIL_*
settings). Each message carries a Message-ID made from its token, RFC 8058 one-click
unsubscribe headers (marketing and other consented purposes; transactional mail has no list
to leave), and a VERP-style return path, `bounces+<token>@<domain>` from
CLIENTELA_RETURN_PATH, so that a bounce names the message it is about. The server's answer
decides: 2xx sent; 4xx transient (retried later); 5xx permanent for that recipient;
a dropped or refused connection transient.
"""

from __future__ import annotations

import smtplib
import ssl
from email.header import Header
from email.message import Message as Email
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from typing import TYPE_CHECKING

from django.conf import settings

from clientela.consent.models import CONSENT_PURPOSES
from clientela.consent.services import unsubscribe_headers
from clientela.messaging.services.channels import SendError, SendResult

if TYPE_CHECKING:
    from clientela.messaging.models import Message

MAILBOX_FULL = frozenset({452, 552})
AUTH = frozenset({530, 535, 454})


def from_address() -> str:
    return str(settings.DEFAULT_FROM_EMAIL)


def return_path_base() -> str:
    """CLIENTELA_RETURN_PATH, or `bounces@` the sender's domain."""
    configured = str(getattr(settings, "CLIENTELA_RETURN_PATH", "") or "")
    if configured:
        return configured
    domain = parseaddr(from_address())[1].rpartition("@")[2] or "localhost"
    return f"bounces@{domain}"


def return_path(token: str) -> str:
    """The envelope sender of one message: `local+token@domain` (VERP)."""
    local, _, domain = return_path_base().rpartition("@")
    return f"{local}+{token}@{domain}"


def message_id(token: str) -> str:
    domain = return_path_base().rpartition("@")[2]
    return f"<{token}@{domain}>"


def _one_line(value: str) -> str:
    """A header value never carries a line break from data (header injection)."""
    return " ".join(value.split())


def list_headers(message: Message) -> dict[str, str]:
    """The RFC 8058 headers of a message whose purpose has a list to leave, else none."""
    if message.purpose not in CONSENT_PURPOSES:
        return {}
    return unsubscribe_headers(message.party, purpose=message.purpose)


class Headers:
    """Each message's unsubscribe headers, issued for a whole claim in one transaction
    (`prepare`), or one by one when a message comes without."""

    def __init__(self) -> None:
        self._ready: dict[str, dict[str, str]] = {}

    def prepare(self, messages: list[Message]) -> None:
        self._ready = {m.token: list_headers(m) for m in messages}

    def take(self, message: Message) -> dict[str, str]:
        ready = self._ready.pop(message.token, None)
        return ready if ready is not None else list_headers(message)


def _header(value: str) -> str:
    """A header value: ASCII as it is, anything else as an RFC 2047 encoded word."""
    return value if value.isascii() else Header(value, "utf-8").encode()


def build_email(message: Message, unsubscribe: dict[str, str] | None = None) -> Email:
    """The e-mail of one outbox row, headers and parts, ready for SMTP.

    Built with the classic (compat32) API: the modern one parses each header it is given,
    which cost more than the SMTP exchange itself.
    """
    text = MIMEText(message.body_text or "", "plain", "utf-8")
    mail: Email = text
    if message.body_html:
        mail = MIMEMultipart("alternative")
        mail.attach(text)
        mail.attach(MIMEText(message.body_html, "html", "utf-8"))
    name, address = parseaddr(from_address())
    mail["From"] = formataddr((name, address), charset="utf-8")
    mail["To"] = message.address
    mail["Subject"] = _header(_one_line(message.subject))
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = message_id(message.token)
    if message.created_by is not None and message.created_by.email:
        mail["Reply-To"] = message.created_by.email
    for header, value in (list_headers(message) if unsubscribe is None else unsubscribe).items():
        mail[header] = value
    return mail


def _error(code: int, text: bytes | str) -> SendError:
    detail = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    transient = 400 <= code < 500
    if code in MAILBOX_FULL:
        error_class = "mailbox_full"
    elif code in AUTH:
        error_class, transient = "auth", True  # our credentials, not the recipient: try later
    else:
        error_class = "deferred" if transient else "rejected"
    return SendError(f"{code} {detail}", transient=transient, error_class=error_class)


class SmtpSender(Headers):
    """Sends e-mail through the configured SMTP server, one connection for many messages."""

    channel = "email"

    def __init__(self) -> None:
        super().__init__()
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        host, port = str(settings.EMAIL_HOST), int(settings.EMAIL_PORT)
        timeout = float(getattr(settings, "EMAIL_TIMEOUT", None) or 30)
        smtp: smtplib.SMTP
        if settings.EMAIL_USE_SSL:
            smtp = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(host, port, timeout=timeout)
            if settings.EMAIL_USE_TLS:
                smtp.starttls(context=ssl.create_default_context())
        if settings.EMAIL_HOST_USER:
            smtp.login(str(settings.EMAIL_HOST_USER), str(settings.EMAIL_HOST_PASSWORD))
        return smtp

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def send(self, message: Message) -> SendResult:
        mail = build_email(message, self.take(message))
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            self._smtp.send_message(
                mail, from_addr=return_path(message.token), to_addrs=[message.address]
            )
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _error(code, text) from exc
        except smtplib.SMTPResponseException as exc:
            # A refused sender or body, or a refused login: the connection may be unusable.
            if exc.smtp_code in (421,) or exc.smtp_code in AUTH:
                self.close()
            raise _error(exc.smtp_code, exc.smtp_error) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            error_class = "timeout" if isinstance(exc, TimeoutError) else "connection"
            raise SendError(str(exc), transient=True, error_class=error_class) from exc
        return SendResult(provider_id=str(mail["Message-ID"]))


class DjangoMailSender(Headers):
    """Sends through Django's configured e-mail backend when it is not SMTP: the console in
    development (no CLIENTELA_EMAIL_URL), memory (`memory://`) in tests. Same headers."""

    channel = "email"

    def send(self, message: Message) -> SendResult:
        from django.core.mail import EmailMessage as DjangoEmail
        from django.core.mail import get_connection

        mail = build_email(message, self.take(message))
        headers = {
            name: str(value)
            for name, value in mail.items()
            if name not in ("From", "To", "Subject", "Content-Type", "MIME-Version")
        }
        headers["Return-Path"] = return_path(message.token)
        django_mail = DjangoEmail(
            subject=str(mail["Subject"]),
            body=message.body_text,
            from_email=from_address(),
            to=[message.address],
            headers=headers,
        )
        try:
            get_connection(fail_silently=False).send_messages([django_mail])
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(str(exc), transient=True, error_class="connection") from exc
        return SendResult(provider_id=str(mail["Message-ID"]))


def email_sender() -> SmtpSender | DjangoMailSender:
    """The e-mail channel's sender for the configured backend (CLIENTELA_EMAIL_URL)."""
    if settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
        return SmtpSender()
    return DjangoMailSender()
