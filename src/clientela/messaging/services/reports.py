"""Reading what comes back to the bounce mailbox: DSNs, ARF complaints and their look-alikes.

`parse_report(raw)` turns one e-mail into a `Report`: what happened (hard or soft bounce,
complaint, delay, delivery, auto-reply, or unknown), to which address, with the status code and
the remote server's words, and how to find the message it is about: the token of the VERP
return path (`bounces+TOKEN@domain`) and the original Message-ID. Standard reports are read by
their structure (RFC 3464 `message/delivery-status`, RFC 5965 `message/feedback-report`);
older MTAs' plain-text bounces and auto-replies by `plain_reports`. It never raises: a mail it
cannot read is `unknown`.
"""

from __future__ import annotations

import email
import json
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from email.header import decode_header
from email.message import Message as EmailMessage
from email.utils import parsedate_to_datetime

from clientela.messaging.models import ReportKind

MAX_BYTES = 2 * 2**20  # a bounce quoting a huge original is read no further than this
EVIDENCE_CHARS = 4000
DIAGNOSTIC_CHARS = 1000

VERP = re.compile(r"bounces\+([A-Za-z0-9_-]{6,32})@", re.IGNORECASE)
STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
SMTP_REPLY = re.compile(r"(?<![\d.])([245])\d\d(?:[ -]|$)")
ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
MESSAGE_ID = re.compile(r"<[^<>@\s]+@[^<>\s]+>")
# Permanent statuses that are not the address's fault: a full mailbox, a message too big, a
# delivery that expired, or the receiving side refusing us (spam, reputation, policy).
SOFT_PERMANENT = {"2.2", "3.4", "4.7", "3.1", "3.2", "4.5"}
REFUSING_US = re.compile(
    r"spam|block|blacklist|listed|reputation|policy|dmarc|spf|dkim|rate limit|too many",
    re.IGNORECASE,
)
COMPLAINT_TYPES = {"abuse", "fraud", "virus", "other"}


@dataclass(frozen=True)
class Report:
    """What one returned e-mail says about one message sent by us."""

    kind: str = ReportKind.UNKNOWN
    recipient: str = ""
    status: str = ""
    diagnostic: str = ""
    token: str = ""
    message_ids: tuple[str, ...] = ()
    feedback_type: str = ""
    reported_at: datetime | None = None
    evidence: str = field(default="", repr=False)

    def token_candidates(self) -> tuple[str, ...]:
        """The VERP token first, then each piece of the original Message-IDs' local parts."""
        found: list[str] = [self.token] if self.token else []
        for message_id in self.message_ids:
            local = message_id.split("@", 1)[0].strip("<>")
            found.extend(p for p in re.split(r"[.=+]", local) if 6 <= len(p) <= 32)
            if len(local) <= 32:
                found.append(local)
        return tuple(dict.fromkeys(found))


def parse_report(raw: bytes | str) -> Report:
    """Read one returned e-mail (the whole RFC 5322 text); never raises."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    try:
        message = email.message_from_bytes(raw[:MAX_BYTES])
        report = _read(message)
    except Exception:  # any mail at all may arrive: an unreadable one is unknown
        return Report()
    return _with_lookups(report, message)


def _read(message: EmailMessage) -> Report:
    from clientela.messaging.services.plain_reports import read_plain

    content_type = message.get_content_type()
    param = message.get_param("report-type")
    report_type = param.lower() if isinstance(param, str) else ""
    if content_type == "multipart/report":
        if report_type == "feedback-report" or _part(message, "message/feedback-report"):
            return _read_arf(message)
        if report_type == "delivery-status" or _part(message, "message/delivery-status"):
            return _read_dsn(message)
    if (ses := _read_ses_json(message)) is not None:
        return ses
    return read_plain(message)


# --- RFC 3464 -------------------------------------------------------------------------------


def _part(message: EmailMessage, content_type: str) -> EmailMessage | None:
    for part in message.walk():
        if part.get_content_type() == content_type:
            return part
    return None


def _fields(part: EmailMessage) -> list[EmailMessage]:
    """The header blocks of a delivery-status part (the parser splits it, or we do)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return [b for b in payload if isinstance(b, EmailMessage)]
    text = part.get_payload(decode=True)
    body = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(payload)
    blocks = re.split(r"\r?\n\s*\r?\n", body.strip())
    return [email.message_from_string(block.strip() + "\n") for block in blocks if block.strip()]


def _value(block: EmailMessage, name: str) -> str:
    """A typed field's value without its type (`rfc822; a@b` → `a@b`), unfolded."""
    raw = block.get(name)
    if raw is None:
        return ""
    text = " ".join(str(raw).split())
    if ";" in text and name.lower() != "diagnostic-code":
        text = text.split(";", 1)[1]
    return text.strip()


def _diagnostic(block: EmailMessage) -> str:
    text = " ".join(str(block.get("Diagnostic-Code", "")).split())
    kind, sep, rest = text.partition(";")
    return (rest if sep and len(kind) < 20 else text).strip()[:DIAGNOSTIC_CHARS]


def _date(text: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(text.split(";")[-1].strip())
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else None


def bounce_kind(status: str, diagnostic: str, *, final: bool = True) -> str:
    """Hard or soft from the enhanced status code, else the SMTP reply, else the words."""
    match = STATUS.search(status) or STATUS.search(diagnostic)
    if match is not None:
        klass, detail = match.group(1), f"{match.group(2)}.{match.group(3)}"
        if klass == "4":
            return ReportKind.SOFT if final else ReportKind.DELAY
        if klass == "2":
            return ReportKind.DELIVERED
        if detail in SOFT_PERMANENT or (detail.startswith("7.") and REFUSING_US.search(diagnostic)):
            return ReportKind.SOFT
        return ReportKind.HARD
    reply = SMTP_REPLY.search(diagnostic)
    if reply is not None:
        if reply.group(1) == "4":
            return ReportKind.SOFT
        if REFUSING_US.search(diagnostic) or re.search(r"quota|full", diagnostic, re.I):
            return ReportKind.SOFT
        return ReportKind.HARD
    return ReportKind.HARD if final else ReportKind.DELAY


def _read_dsn(message: EmailMessage) -> Report:
    part = _part(message, "message/delivery-status")
    if part is None:
        return Report()
    blocks = _fields(part)
    per_message = blocks[0] if blocks else EmailMessage()
    recipients = [b for b in blocks[1:] if b.get("Action") or b.get("Final-Recipient")]
    if not recipients and blocks and blocks[0].get("Final-Recipient"):
        recipients = [blocks[0]]  # some MTAs leave out the per-message block
    order = {"failed": 0, "delayed": 1, "delivered": 2, "relayed": 2, "expanded": 2}
    recipients.sort(key=lambda b: order.get(_value(b, "Action").lower(), 3))
    if not recipients:
        return Report(evidence=_evidence(part))
    block = recipients[0]
    action = _value(block, "Action").lower()
    diagnostic = _diagnostic(block)
    found = STATUS.search(_value(block, "Status")) or STATUS.search(diagnostic)
    status = found.group(0) if found else ""
    kind: str
    if action == "delayed":
        kind = ReportKind.DELAY
    elif action in {"delivered", "relayed", "expanded"}:
        kind = ReportKind.DELIVERED
    else:
        kind = bounce_kind(status, diagnostic)
    recipient = _value(block, "Original-Recipient") or _value(block, "Final-Recipient")
    when = _value(block, "Last-Attempt-Date") or _value(per_message, "Arrival-Date")
    return Report(
        kind=kind,
        recipient=_address(recipient),
        status=status,
        diagnostic=diagnostic,
        token=_verp(_value(per_message, "Original-Envelope-Id")),
        reported_at=_date(when) or _date(str(message.get("Date", ""))),
        evidence=_evidence(part),
    )


# --- RFC 5965 -------------------------------------------------------------------------------


def _read_arf(message: EmailMessage) -> Report:
    part = _part(message, "message/feedback-report")
    if part is None:
        return Report()
    blocks = _fields(part)
    fields = blocks[0] if blocks else EmailMessage()
    feedback_type = _value(fields, "Feedback-Type").lower()
    original = _original(message)
    recipient = _value(fields, "Original-Rcpt-To") or (
        str(original.get("To", "")) if original is not None else ""
    )
    when = _value(fields, "Arrival-Date") or _value(fields, "Received-Date")
    return Report(
        kind=ReportKind.COMPLAINT if feedback_type in COMPLAINT_TYPES else ReportKind.UNKNOWN,
        recipient=_address(recipient),
        feedback_type=feedback_type[:40],
        token=_verp(_value(fields, "Original-Mail-From")),
        reported_at=_date(when) or _date(str(message.get("Date", ""))),
        evidence=_evidence(part),
    )


# --- Amazon SES-style notifications forwarded as JSON ---------------------------------------


def _read_ses_json(message: EmailMessage) -> Report | None:
    if message.is_multipart():
        return None
    body = _text(message).strip()
    if not body.startswith("{") or "notificationType" not in body:
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    kind_name = str(data.get("notificationType") or data.get("eventType") or "").lower()
    mail = _dict(data, "mail")
    headers = {
        str(h.get("name", "")).lower(): str(h.get("value", "")) for h in _dicts(mail, "headers")
    }
    ids = tuple(filter(None, [headers.get("message-id", "")]))
    token = _verp(str(mail.get("source", "")))
    evidence = body[:EVIDENCE_CHARS]
    if kind_name == "bounce":
        bounce = _dict(data, "bounce")
        first = next(iter(_dicts(bounce, "bouncedRecipients")), {})
        status = str(first.get("status", ""))
        diagnostic = str(first.get("diagnosticCode", ""))[:DIAGNOSTIC_CHARS]
        permanent = str(bounce.get("bounceType", "")).lower() == "permanent"
        kind = bounce_kind(status, diagnostic) if permanent else ReportKind.SOFT
        if permanent and str(bounce.get("bounceSubType", "")).lower() in {
            "mailboxfull",
            "messagetoolarge",
            "contentrejected",
        }:
            kind = ReportKind.SOFT
        return Report(
            kind=kind,
            recipient=_address(str(first.get("emailAddress", ""))),
            status=status[:16],
            diagnostic=diagnostic,
            token=token,
            message_ids=ids,
            reported_at=_iso(str(bounce.get("timestamp", ""))),
            evidence=evidence,
        )
    if kind_name == "complaint":
        complaint = _dict(data, "complaint")
        first = next(iter(_dicts(complaint, "complainedRecipients")), {})
        return Report(
            kind=ReportKind.COMPLAINT,
            recipient=_address(str(first.get("emailAddress", ""))),
            feedback_type=str(complaint.get("complaintFeedbackType", "abuse"))[:40],
            token=token,
            message_ids=ids,
            reported_at=_iso(str(complaint.get("timestamp", ""))),
            evidence=evidence,
        )
    return Report(kind=ReportKind.UNKNOWN, evidence=evidence)


def _dict(data: dict[str, object], key: str) -> dict[str, object]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _dicts(data: object, key: str) -> list[dict[str, object]]:
    items = data.get(key) if isinstance(data, dict) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _iso(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


# --- shared ---------------------------------------------------------------------------------


def _text(part: EmailMessage) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        charset = part.get_content_charset() or "utf-8"
        try:
            return payload.decode(charset, "replace")
        except LookupError:
            return payload.decode("utf-8", "replace")
    return str(part.get_payload() or "")


def header_text(message: EmailMessage, name: str) -> str:
    """A header as text: RFC 2047 words decoded, raw 8-bit bytes read as UTF-8, unfolded."""
    value = message.get(name)
    if value is None:
        return ""
    pieces: list[str] = []
    try:
        for chunk, charset in decode_header(value):
            if isinstance(chunk, str):
                pieces.append(chunk)
                continue
            encoding = charset if charset and charset != "unknown-8bit" else "utf-8"
            try:
                pieces.append(chunk.decode(encoding, "replace"))
            except LookupError:
                pieces.append(chunk.decode("utf-8", "replace"))
    except (ValueError, UnicodeError):
        pieces = [str(value)]
    text = "".join(pieces).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return " ".join(text.split())


def _evidence(part: EmailMessage) -> str:
    if isinstance(part.get_payload(), list):
        text = "\n".join(b.as_string() for b in _fields(part))
    else:
        text = _text(part)
    return text.strip()[:EVIDENCE_CHARS]


def _original(message: EmailMessage) -> EmailMessage | None:
    """The returned original's headers: a message/rfc822 part or text/rfc822-headers."""
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type in {"message/rfc822", "message/rfc822-headers"}:
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], EmailMessage):
                return payload[0]
        if content_type in {"text/rfc822-headers", "message/rfc822-headers"}:
            return email.message_from_string(_text(part))
    return None


def _address(text: str) -> str:
    match = ADDRESS.search(text)
    return match.group(0).lower()[:320] if match else ""


def _verp(text: str) -> str:
    match = VERP.search(text)
    return match.group(1) if match else ""


def _with_lookups(report: Report, message: EmailMessage) -> Report:
    """Add the VERP token and the original Message-IDs wherever the mail carries them."""
    original = _original(message)
    token = report.token
    ids = list(report.message_ids)
    sources: list[str] = []
    for name in ("X-Original-To", "Delivered-To", "Envelope-To", "To"):
        sources.extend(str(v) for v in message.get_all(name, []))
    if original is not None:
        sources.extend(str(v) for v in original.get_all("Return-Path", []))
        ids.extend(str(v) for v in original.get_all("Message-ID", []))
    ids.extend(str(v) for v in message.get_all("In-Reply-To", []))
    ids.extend(str(v).split()[-1] for v in message.get_all("References", []) if str(v).split())
    if report.evidence:
        sources.append(report.evidence)
    for source in sources:
        if token:
            break
        token = _verp(source)
    found = tuple(dict.fromkeys(MESSAGE_ID.findall(" ".join(ids))))
    return replace(report, token=token, message_ids=report.message_ids or found)
