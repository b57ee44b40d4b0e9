"""The returned-mail parser against 70 mails in the shapes real MTAs and providers send."""

from __future__ import annotations

import random
from typing import Any

import pytest

from clientela.messaging.models import ReportKind
from clientela.messaging.services.reports import parse_report
from tests.messaging.samples import SAMPLES, postfix, t


def test_there_are_at_least_sixty_samples_of_every_kind() -> None:
    kinds = {expected["kind"] for _, _, expected in SAMPLES}
    assert len(SAMPLES) >= 60
    assert kinds == set(ReportKind.values)


@pytest.mark.parametrize(
    ("raw", "expected"), [(r, e) for _, r, e in SAMPLES], ids=[n for n, _, _ in SAMPLES]
)
def test_each_sample_reads_as_expected(raw: str, expected: dict[str, Any]) -> None:
    report = parse_report(raw)
    got = {
        "kind": report.kind,
        "recipient": report.recipient,
        "status": report.status,
        "token": report.token,
    }
    assert got == expected


def test_bytes_and_text_read_alike() -> None:
    name, raw, _expected = SAMPLES[0]
    assert parse_report(raw.encode()) == parse_report(raw), name


def test_a_report_without_verp_finds_the_token_in_the_original_message_id() -> None:
    raw = next(r for n, r, _ in SAMPLES if n == "message-id only")
    report = parse_report(raw)
    assert report.token == ""
    assert t(61) in report.token_candidates()


def test_the_verp_token_comes_first_among_the_candidates() -> None:
    report = parse_report(next(r for n, r, _ in SAMPLES if n == "gmail no such user"))
    assert report.token_candidates()[0] == t(30)


def test_a_dsn_keeps_its_machine_readable_part_as_evidence_and_its_diagnostic() -> None:
    raw = postfix(
        t(1),
        "a@example.org",
        action="failed",
        status="5.1.1",
        diag="550 5.1.1 <a@example.org>: User unknown",
        orig_rcpt=False,
    )
    report = parse_report(raw)
    assert "Final-Recipient: rfc822; a@example.org" in report.evidence
    assert "Status: 5.1.1" in report.evidence
    assert report.diagnostic == "550 5.1.1 <a@example.org>: User unknown"
    assert report.reported_at is not None
    assert report.reported_at.isoformat() == "2026-12-07T09:00:01+00:00"


def test_evidence_and_diagnostic_are_bounded() -> None:
    raw = postfix(
        t(2),
        "a@example.org",
        action="failed",
        status="5.1.1",
        diag="550 5.1.1 " + "x" * 5000,
        orig_rcpt=False,
    )
    report = parse_report(raw)
    assert len(report.diagnostic) == 1000
    assert len(report.evidence) <= 4000


def test_a_complaint_keeps_its_feedback_type() -> None:
    report = parse_report(next(r for n, r, _ in SAMPLES if n == "arf fraud"))
    assert (report.kind, report.feedback_type) == (ReportKind.COMPLAINT, "fraud")


def test_random_bytes_never_raise() -> None:
    rng = random.Random(14)
    pieces = [raw.encode() for _, raw, _ in SAMPLES]
    for _ in range(200):
        sample = bytearray(rng.choice(pieces))
        for _ in range(rng.randint(1, 40)):
            at = rng.randrange(len(sample) or 1)
            sample[at : at + rng.randint(0, 30)] = rng.randbytes(rng.randint(0, 30))
        report = parse_report(bytes(sample))
        assert report.kind in ReportKind.values
