"""Acting on returned mail: bounced and complained messages, suppression with proof, consent
withdrawn on complaints, and nothing changed twice by duplicates or late reports."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.utils import format_datetime

import pytest
from django.utils import timezone

from clientela.consent.models import (
    ConsentChannel,
    ConsentRecord,
    ConsentSource,
    ConsentStatus,
    SuppressedContact,
)
from clientela.consent.services.gate import may_contact
from clientela.consent.services.records import record_consent
from clientela.consent.services.suppression import suppress
from clientela.consent.services.wordings import store_wording
from clientela.messaging.models import DeliveryReport, MessageState, ReportKind
from clientela.messaging.services.bounces import ingest_report
from tests.factories import make_party
from tests.messaging.helpers import sent_message
from tests.messaging.samples import arf, exim_dsn, postfix, vacation

pytestmark = pytest.mark.django_db

ANA = "ana@example.org"


def hard(token: str, to: str = ANA) -> bytes:
    return postfix(
        token, to, action="failed", status="5.1.1", diag="550 5.1.1 User unknown", orig_rcpt=False
    ).encode()


def soft(token: str, at: datetime, to: str = ANA, *, variant: str = "") -> bytes:
    raw = postfix(
        token,
        to,
        action="failed",
        status="4.2.2",
        diag=f"452 4.2.2 Mailbox full{variant}",
        orig_rcpt=False,
    )
    return raw.replace("Mon,  7 Dec 2026 09:00:01 +0000 (UTC)", format_datetime(at)).encode()


def complaint(token: str, to: str = ANA) -> bytes:
    return arf(token, to, provider="yahoo", feedback_type="abuse", rcpt_header=True).encode()


def suppressed(address: str = ANA) -> bool:
    return SuppressedContact.objects.filter(value=address, lifted_at__isnull=True).exists()


def suppression(address: str = ANA) -> SuppressedContact:
    return SuppressedContact.objects.get(value=address, lifted_at__isnull=True)


def test_a_hard_bounce_marks_the_message_and_suppresses_the_address_with_proof() -> None:
    party = make_party(email=ANA)
    message = sent_message(party, "hardtoken01")
    outcome = ingest_report(hard("hardtoken01"), source="mbox")
    message.refresh_from_db()
    assert message.state == MessageState.BOUNCED
    assert message.reason == "hard 5.1.1"
    assert suppression().reason == "hard_bounce"
    report = DeliveryReport.objects.get()
    assert outcome.report == report
    assert (report.kind, report.party, report.message, report.recipient) == (
        ReportKind.HARD,
        party,
        message,
        ANA,
    )
    assert report.effects == ["message_bounced", "suppressed"]
    assert len(report.digest) == 64
    assert "Status: 5.1.1" in report.evidence


def test_the_same_mail_read_twice_changes_nothing_the_second_time() -> None:
    party = make_party(email=ANA)
    sent_message(party, "duptoken01")
    raw = hard("duptoken01")
    ingest_report(raw, source="mbox")
    since = suppression().at
    again = ingest_report(raw.replace(b"\n", b"\r\n"), source="imap")
    assert again.duplicate
    assert DeliveryReport.objects.count() == 1
    assert suppression().at == since


def test_another_report_of_the_same_bounce_is_kept_but_changes_nothing() -> None:
    party = make_party(email=ANA)
    message = sent_message(party, "twicetoken1")
    ingest_report(hard("twicetoken1"), source="mbox")
    other = exim_dsn("twicetoken1", ANA, status="5.1.1", diag="550 5.1.1 No such user").encode()
    outcome = ingest_report(other, source="mbox")
    assert not outcome.duplicate
    assert outcome.effects == []
    assert DeliveryReport.objects.count() == 2
    message.refresh_from_db()
    assert message.state == MessageState.BOUNCED


def test_two_soft_bounces_suppress_nothing_and_the_third_within_thirty_days_does() -> None:
    party = make_party(email=ANA)
    start = timezone.now() - timedelta(days=25)
    for n in range(2):
        sent_message(party, f"softtoken{n}")
        ingest_report(soft(f"softtoken{n}", start + timedelta(days=n * 10)), source="mbox")
    assert not suppressed()
    sent_message(party, "softtoken2")
    outcome = ingest_report(soft("softtoken2", start + timedelta(days=20)), source="mbox")
    assert outcome.effects == ["message_bounced", "suppressed"]
    assert suppression().reason == "hard_bounce"


def test_three_soft_bounces_spread_over_more_than_thirty_days_suppress_nothing() -> None:
    party = make_party(email=ANA)
    start = timezone.now() - timedelta(days=60)
    for n in range(3):
        sent_message(party, f"spreadtok{n}")
        ingest_report(soft(f"spreadtok{n}", start + timedelta(days=n * 20)), source="mbox")
    assert not suppressed()


def test_one_message_soft_bouncing_three_times_counts_once() -> None:
    party = make_party(email=ANA)
    sent_message(party, "retrytoken1")
    start = timezone.now() - timedelta(days=3)
    for n in range(3):
        ingest_report(
            soft("retrytoken1", start + timedelta(hours=n), variant=f" #{n}"), source="mbox"
        )
    assert DeliveryReport.objects.count() == 3
    assert not suppressed()


def test_soft_bounces_read_out_of_order_count_by_when_they_happened() -> None:
    party = make_party(email=ANA)
    start = timezone.now() - timedelta(days=50)
    days = [0, 45, 40, 20]  # 20-40-45 fall within 30 days; it arrives last
    for n, day in enumerate(days):
        sent_message(party, f"ordertoken{n}")
        ingest_report(soft(f"ordertoken{n}", start + timedelta(days=day)), source="mbox")
        assert suppressed() == (n == 3)


def test_a_complaint_marks_the_message_suppresses_and_withdraws_consent_with_proof() -> None:
    party = make_party(email=ANA)
    for purpose in ("marketing", "newsletter"):
        record_consent(
            party,
            purpose=purpose,
            channel="email",
            status="granted",
            source="staff",
            wording=store_wording(f"Yes, send me {purpose} by e-mail."),
        )
    message = sent_message(party, "plaintoken1", purpose="newsletter")
    outcome = ingest_report(complaint("plaintoken1"), source="imap")
    message.refresh_from_db()
    assert message.state == MessageState.COMPLAINED
    assert suppression().reason == "complaint"
    assert outcome.effects == ["message_complained", "suppressed", "consent_withdrawn"]
    withdrawn = ConsentRecord.objects.filter(party=party, status=ConsentStatus.WITHDRAWN)
    assert {(r.purpose, r.channel, r.source) for r in withdrawn} == {
        ("marketing", ConsentChannel.EMAIL, ConsentSource.COMPLAINT_REPORT),
        ("newsletter", ConsentChannel.EMAIL, ConsentSource.COMPLAINT_REPORT),
    }
    report = outcome.report
    assert report is not None
    assert all(report.digest in r.note for r in withdrawn)


def test_a_second_complaint_withdraws_nothing_more() -> None:
    party = make_party(email=ANA)
    sent_message(party, "secondtok01")
    sent_message(party, "secondtok02")
    ingest_report(complaint("secondtok01"), source="imap")
    records = ConsentRecord.objects.count()
    outcome = ingest_report(complaint("secondtok02"), source="imap")
    assert outcome.effects == ["message_complained"]
    assert ConsentRecord.objects.count() == records


def test_late_reports_never_move_a_message_back() -> None:
    party = make_party(email=ANA)
    message = sent_message(party, "latetoken01")
    ingest_report(complaint("latetoken01"), source="imap")
    for raw in (
        hard("latetoken01"),
        postfix(
            "latetoken01", ANA, action="delivered", status="2.0.0", diag="250 ok", orig_rcpt=False
        ).encode(),
        postfix(
            "latetoken01", ANA, action="delayed", status="4.4.1", diag="421 later", orig_rcpt=False
        ).encode(),
    ):
        outcome = ingest_report(raw, source="mbox")
        assert "message_bounced" not in outcome.effects
    message.refresh_from_db()
    assert message.state == MessageState.COMPLAINED
    assert suppression().reason == "complaint"


def test_a_delivery_report_moves_a_sent_message_to_delivered_and_a_delay_changes_nothing() -> None:
    party = make_party(email=ANA)
    delivered = sent_message(party, "delivtoken1")
    delayed = sent_message(party, "delaytoken1")
    ingest_report(
        postfix(
            "delivtoken1", ANA, action="delivered", status="2.0.0", diag="250 ok", orig_rcpt=False
        ).encode(),
        source="mbox",
    )
    outcome = ingest_report(
        postfix(
            "delaytoken1", ANA, action="delayed", status="4.4.1", diag="421 later", orig_rcpt=False
        ).encode(),
        source="mbox",
    )
    delivered.refresh_from_db()
    delayed.refresh_from_db()
    assert (delivered.state, delayed.state) == (MessageState.DELIVERED, MessageState.SENT)
    assert outcome.effects == []
    assert outcome.kind == ReportKind.DELAY


def test_a_hard_bounce_naming_no_known_message_is_kept_but_suppresses_nothing() -> None:
    # Anyone can write to the bounce address: a forged bounce must not silence a customer.
    outcome = ingest_report(hard("nobodyknown", to="ghost@example.net"), source="mbox")
    assert outcome.effects == []
    assert outcome.report is not None
    assert outcome.report.message is None
    assert not suppressed("ghost@example.net")


def test_a_complaint_naming_no_message_changes_no_ones_consent() -> None:
    party = make_party(email=ANA)
    outcome = ingest_report(complaint("unknowntok1"), source="imap")
    assert outcome.effects == []
    assert outcome.report is not None
    assert outcome.report.party is None
    assert not suppressed(ANA)
    assert not ConsentRecord.objects.filter(party=party, status="withdrawn").exists()


def test_the_message_is_found_by_its_message_id_when_the_verp_address_is_lost() -> None:
    party = make_party(email=ANA)
    message = sent_message(party, "midtoken001")
    raw = hard("midtoken001").decode()
    raw = raw.replace("bounces+midtoken001@", "bounces@")
    ingest_report(raw.encode(), source="mbox")
    message.refresh_from_db()
    assert message.state == MessageState.BOUNCED


def test_an_auto_reply_is_neither_kept_nor_acted_on() -> None:
    party = make_party(email=ANA)
    message = sent_message(party, "vacatoken01")
    raw = vacation(
        "vacatoken01",
        ANA,
        subject="Out of Office",
        body="Away.",
        header="Auto-Submitted: auto-replied\n",
    )
    outcome = ingest_report(raw.encode(), source="imap")
    assert (outcome.kind, outcome.report) == (ReportKind.AUTO_REPLY, None)
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert not DeliveryReport.objects.exists()


def test_an_address_staff_suppressed_keeps_its_reason() -> None:
    suppress("email", ANA, reason="manual")
    outcome = ingest_report(hard("manualtok01"), source="mbox")
    assert "suppressed" not in outcome.effects
    assert suppression().reason == "manual"


def test_after_a_hard_bounce_the_gate_stops_every_e_mail_to_the_address() -> None:
    party = make_party(email=ANA)
    sent_message(party, "gatetoken01")
    assert may_contact(party, purpose="transactional", channel="email").allowed
    ingest_report(hard("gatetoken01"), source="mbox")
    decision = may_contact(party, purpose="transactional", channel="email")
    assert (decision.allowed, decision.reason) == (False, "suppressed")


def test_a_report_for_an_sms_message_with_the_same_token_touches_no_sms() -> None:
    party = make_party(email=ANA)
    message = sent_message(party, "smstoken001", channel="sms")
    ingest_report(hard("smstoken001"), source="mbox")
    message.refresh_from_db()
    assert message.state == MessageState.SENT
