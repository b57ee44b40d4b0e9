"""Returned mail that is not an RFC 3464/5965 report: old MTAs' plain-text bounces (qmail,
Exim, Sendmail, Exchange), and the auto-replies (vacation, out of office) that are not bounces.

Read by the sender, the subject and the body's tell-tale sentences; the address and the codes
come from the lines around the failure. Anything that does not look like either is `unknown`.
"""

from __future__ import annotations

import re
from email.message import Message as EmailMessage
from email.utils import getaddresses

from clientela.messaging.models import ReportKind
from clientela.messaging.services.reports import (
    ADDRESS,
    DIAGNOSTIC_CHARS,
    EVIDENCE_CHARS,
    MESSAGE_ID,
    STATUS,
    Report,
    _date,
    _text,
    _verp,
    bounce_kind,
    header_text,
)

DAEMONS = re.compile(
    r"mailer-daemon|postmaster|mail delivery (?:system|subsystem)|microsoftexchange|"
    r"mail administrator|mdaemon",
    re.IGNORECASE,
)
BOUNCE_SUBJECTS = re.compile(
    r"undeliver|undelivered|delivery status notification|delivery failure|failure notice|"
    r"mail delivery failed|returned mail|delivery has failed|could not be delivered|"
    r"nondeliverable|non-delivery|warning: could not send|delayed mail|delivery delayed|"
    r"unzustellbar|non recapitabile|no se puede entregar|não entregue",
    re.IGNORECASE,
)
PERMANENT = re.compile(
    r"permanent (?:error|failure)|permanent fatal error|I've given up|could not be delivered|"
    r"delivery has failed|following address\(es\) failed|wasn't able to deliver|"
    r"couldn't be delivered|undeliverable|unknown user|user unknown|no such user|"
    r"does not exist|mailbox unavailable|address rejected|recipient not found",
    re.IGNORECASE,
)
DELAYED = re.compile(
    r"has not yet been delivered|not been delivered yet|could not send message for past|"
    r"will continue trying|will keep trying|still trying|delivery is delayed|"
    r"temporarily deferred|is delayed",
    re.IGNORECASE,
)
TEMPORARY_GIVE_UP = re.compile(
    r"in the queue too long|too long in the queue|retry timeout exceeded|"
    r"mailbox (?:is )?full|over quota|quota exceeded|temporary (?:error|failure)",
    re.IGNORECASE,
)
AUTO_SUBJECTS = re.compile(
    r"^(?:auto(?:matic)? ?(?:reply|response)|auto:|autoreply|out of (?:the )?office|"
    r"abwesenheit|vacation|resposta autom[aá]tica|respuesta autom[aá]tica|"
    r"risposta automatica|fuera de la oficina|fora do escrit[oó]rio|fuori ufficio|"
    r"absence|away from)",
    re.IGNORECASE,
)
# Where a bounce quotes the original message; nothing after it describes the failure.
QUOTE_STARTS = re.compile(
    r"^\s*(?:-{2,} ?(?:this is a copy|original message|below this line|the original message)|"
    r"--- Below this line is a copy|------ This is a copy|Original message headers:|"
    r"----- Original message -----|Received: from)",
    re.IGNORECASE | re.MULTILINE,
)


def _body(message: EmailMessage) -> str:
    """The readable text of the mail: its text/plain parts, in order."""
    texts = [
        _text(part)
        for part in message.walk()
        if part.get_content_type() == "text/plain" and not part.is_multipart()
    ]
    if not texts:
        texts = [
            re.sub(r"<[^>]+>", " ", _text(part))
            for part in message.walk()
            if part.get_content_type() == "text/html"
        ]
    return "\n".join(texts)


def _is_auto_reply(message: EmailMessage, subject: str) -> bool:
    submitted = str(message.get("Auto-Submitted", "")).lower()
    precedence = str(message.get("Precedence", "")).lower()
    return (
        submitted.startswith("auto-replied")
        or any(message.get(h) for h in ("X-Autoreply", "X-Autorespond", "X-Auto-Response"))
        or precedence == "auto_reply"
        or bool(AUTO_SUBJECTS.search(subject))
    )


def _failed_address(text: str, skip: set[str]) -> str:
    for match in ADDRESS.finditer(text):
        address = match.group(0).lower().rstrip(".")
        if address not in skip and not DAEMONS.search(address) and "bounces+" not in address:
            return address[:320]
    return ""


def _diagnostic_line(text: str) -> str:
    for line in text.splitlines():
        stripped = line.strip(" <>()\t")
        if STATUS.search(stripped) or re.match(r"^(?:reason: )?[45]\d\d[ -]", stripped):
            return " ".join(stripped.split())[:DIAGNOSTIC_CHARS]
    for line in text.splitlines():
        stripped = line.strip()
        if PERMANENT.search(stripped) or TEMPORARY_GIVE_UP.search(stripped):
            return " ".join(stripped.split())[:DIAGNOSTIC_CHARS]
    return ""


def read_plain(message: EmailMessage) -> Report:
    """A plain-text bounce, an auto-reply, or unknown."""
    subject = header_text(message, "Subject")
    sender = header_text(message, "From")
    body = _body(message)
    quote = QUOTE_STARTS.search(body)
    failure = body[: quote.start()] if quote else body
    from_daemon = DAEMONS.search(sender) is not None
    looks_bounced = bool(BOUNCE_SUBJECTS.search(subject)) or from_daemon
    reported_at = _date(str(message.get("Date", "")))
    ids = tuple(dict.fromkeys(MESSAGE_ID.findall(body[quote.start() :] if quote else "")))
    token = _verp(body)
    if looks_bounced and (DELAYED.search(failure) or PERMANENT.search(failure)):
        own = {a.lower() for _, a in getaddresses([sender])}
        diagnostic = _diagnostic_line(failure)
        found = STATUS.search(diagnostic) or STATUS.search(failure)
        status = found.group(0) if found else ""
        kind: str
        if DELAYED.search(failure) and not PERMANENT.search(failure):
            kind = ReportKind.DELAY
        elif TEMPORARY_GIVE_UP.search(failure) and not STATUS.search(diagnostic):
            kind = ReportKind.SOFT
        else:
            kind = bounce_kind(status, diagnostic or failure)
        return Report(
            kind=kind,
            recipient=_failed_address(failure, own),
            status=status,
            diagnostic=diagnostic,
            token=token,
            message_ids=ids,
            reported_at=reported_at,
            evidence=failure.strip()[:EVIDENCE_CHARS],
        )
    if _is_auto_reply(message, subject) and not from_daemon:
        addresses = getaddresses([sender])
        return Report(
            kind=ReportKind.AUTO_REPLY,
            recipient=(addresses[0][1].lower() if addresses else "")[:320],
            token=token,
            reported_at=reported_at,
        )
    return Report()
