"""Acting on returned mail: each report is kept once, as proof, and changes things once.

A hard bounce marks its message bounced and suppresses the address; three soft bounces of
three different messages within 30 days suppress it too; a complaint marks the message
complained, suppresses the address and withdraws e-mail consent for marketing and for the
message's own purpose, with the report as proof. A report that names no message of ours is
kept as evidence and changes nothing: anyone can write to the bounce address.

Idempotent: the same mail read again is recognised by its digest and changes nothing; a report
that arrives late (a delay after the bounce, a bounce after the complaint) never moves a
message back, and an address already suppressed is left as it is.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from clientela.consent.models import (
    CONSENT_PURPOSES,
    ConsentChannel,
    ConsentSource,
    ConsentStatus,
    LegalBasis,
    Purpose,
)
from clientela.consent.models import SuppressionReason as Reason
from clientela.consent.services.records import current_consents, record_consent
from clientela.consent.services.suppression import is_value_suppressed, suppress
from clientela.core.errors import Invalid, Problem
from clientela.messaging.models import Channel, DeliveryReport, Message, MessageState, ReportKind
from clientela.messaging.services.reports import Report, parse_report
from clientela.parties.models import ContactKind
from clientela.parties.services.identity import normalize_contact

SOFT_LIMIT = 3
SOFT_WINDOW = timedelta(days=30)
# Kept as proof; auto-replies and mail that is no report are only counted.
KEPT = {
    ReportKind.HARD,
    ReportKind.SOFT,
    ReportKind.COMPLAINT,
    ReportKind.DELAY,
    ReportKind.DELIVERED,
}
# A message's state only moves up this ladder, whatever order the reports come in.
RANK = {
    MessageState.SENT: 0,
    MessageState.DELIVERED: 1,
    MessageState.BOUNCED: 2,
    MessageState.COMPLAINED: 3,
}
NEW_STATE = {
    ReportKind.DELIVERED: MessageState.DELIVERED,
    ReportKind.HARD: MessageState.BOUNCED,
    ReportKind.SOFT: MessageState.BOUNCED,
    ReportKind.COMPLAINT: MessageState.COMPLAINED,
}


@dataclass(frozen=True)
class Outcome:
    """What one ingested mail was and did; `report` is None when nothing was kept."""

    kind: str
    report: DeliveryReport | None
    duplicate: bool = False

    @property
    def effects(self) -> list[str]:
        return list(self.report.effects) if self.report is not None else []


def report_digest(raw: bytes) -> str:
    """The SHA-256 of a mail as received, line endings made LF (mbox and IMAP agree)."""
    return hashlib.sha256(raw.replace(b"\r\n", b"\n").rstrip(b"\n")).hexdigest()


def find_message(report: Report) -> Message | None:
    """The e-mail message a report is about: by the VERP token, else the original Message-ID."""
    candidates = report.token_candidates()
    if not candidates:
        return None
    found = {
        m.token: m for m in Message.objects.filter(token__in=candidates, channel=Channel.EMAIL)
    }
    return next((found[c] for c in candidates if c in found), None)


def ingest_report(raw: bytes, *, source: str, now: datetime | None = None) -> Outcome:
    """Read one returned mail and act on it once; call inside a transaction."""
    digest = report_digest(raw)
    existing = DeliveryReport.objects.filter(digest=digest).first()
    if existing is not None:
        return Outcome(kind=existing.kind, report=existing, duplicate=True)
    parsed = parse_report(raw)
    if parsed.kind not in KEPT:
        return Outcome(kind=parsed.kind, report=None)
    message = find_message(parsed)
    recipient = parsed.recipient or (message.address.strip().lower() if message else "")
    recipient = _normalized(recipient) or recipient
    now = now or timezone.now()
    report = DeliveryReport(
        digest=digest,
        kind=parsed.kind,
        message=message,
        party_id=message.party_id if message else None,
        recipient=recipient[:320],
        status=parsed.status,
        diagnostic=parsed.diagnostic,
        feedback_type=parsed.feedback_type,
        evidence=parsed.evidence,
        source=source[:10],
        reported_at=min(parsed.reported_at or now, now),
        received_at=now,
    )
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # another reader kept the same mail a moment ago
        kept = DeliveryReport.objects.get(digest=digest)
        return Outcome(kind=kept.kind, report=kept, duplicate=True)
    report.effects = _act(report)
    report.save(update_fields=["effects"])
    return Outcome(kind=report.kind, report=report)


def _act(report: DeliveryReport) -> list[str]:
    """What the report changes: only a report naming one of our messages changes anything.

    Anyone can write to the bounce address; a forged bounce naming no message must not
    suppress a customer's address, so such a report is kept as evidence and nothing more.
    """
    effects: list[str] = []
    if report.message is None:
        return effects
    if mark_message(report.message, report):
        effects.append(f"message_{NEW_STATE[ReportKind(report.kind)]}")
    reason = _suppression_reason(report)
    if reason and report.recipient and _suppress_once(report.recipient, reason):
        effects.append("suppressed")
    if report.kind == ReportKind.COMPLAINT and _withdraw_consent(report, report.message):
        effects.append("consent_withdrawn")
    return effects


def mark_message(message: Message, report: DeliveryReport) -> bool:
    """Move the message to what the report says, only up the ladder; True if it moved."""
    state = NEW_STATE.get(ReportKind(report.kind))
    if state is None:
        return False
    below = [s for s, rank in RANK.items() if rank < RANK[state]]
    reason = f"{report.kind} {report.status}".strip()[:40]
    moved = Message.objects.filter(pk=message.pk, state__in=below).update(
        state=state, reason=reason
    )
    if moved:
        message.state, message.reason = state, reason
    return moved > 0


def _suppression_reason(report: DeliveryReport) -> str:
    if report.kind == ReportKind.HARD:
        return Reason.HARD_BOUNCE
    if report.kind == ReportKind.COMPLAINT:
        return Reason.COMPLAINT
    if report.kind == ReportKind.SOFT and has_too_many_soft_bounces(report):
        return Reason.HARD_BOUNCE
    return ""


def has_too_many_soft_bounces(report: DeliveryReport) -> bool:
    """Whether some 30 days hold three soft bounces of this address, this one included.

    A message that soft-bounced twice (a retry's report) counts once; reports read out of
    order count by when they happened, not when they arrived.
    """
    around = DeliveryReport.objects.filter(
        recipient=report.recipient,
        kind=ReportKind.SOFT,
        message__isnull=False,
        reported_at__gte=report.reported_at - SOFT_WINDOW,
        reported_at__lte=report.reported_at + SOFT_WINDOW,
    ).values_list("reported_at", "message_id")
    first_seen: dict[int, datetime] = {}
    for at, message_id in around:
        first_seen[message_id] = min(at, first_seen.get(message_id, at))
    times = sorted(first_seen.values())
    return any(
        times[i + SOFT_LIMIT - 1] - times[i] <= SOFT_WINDOW
        for i in range(len(times) - SOFT_LIMIT + 1)
    )


def _normalized(address: str) -> str:
    try:
        return normalize_contact(ContactKind.EMAIL, address)
    except (Problem, ValueError):
        return ""


def _suppress_once(address: str, reason: str) -> bool:
    """Suppress the address unless it already is (for any reason: the first one stands)."""
    normalized = _normalized(address)
    if not normalized or is_value_suppressed(ContactKind.EMAIL, normalized):
        return False
    try:
        suppress(ContactKind.EMAIL, normalized, reason=reason)
    except Invalid:  # an address the parties app refuses is suppressed by nobody
        return False
    return True


def _withdraw_consent(report: DeliveryReport, message: Message) -> bool:
    """Withdraw e-mail consent for marketing and the message's purpose, citing the report."""
    purposes = [Purpose.MARKETING]
    if message.purpose in CONSENT_PURPOSES:
        purposes.append(Purpose(message.purpose))
    changed = False
    party = message.party
    current = current_consents(party)
    for purpose in dict.fromkeys(purposes):
        record = current.get((purpose, ConsentChannel.EMAIL))
        if record is not None and record.status == ConsentStatus.WITHDRAWN:
            continue
        record_consent(
            party,
            purpose=purpose,
            channel=ConsentChannel.EMAIL,
            status=ConsentStatus.WITHDRAWN,
            source=ConsentSource.COMPLAINT_REPORT,
            legal_basis=record.legal_basis if record else LegalBasis.CONSENT,
            note=f"spam complaint: delivery report {report.pk}, sha256 {report.digest}",
        )
        changed = True
    return changed
