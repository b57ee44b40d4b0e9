"""Consent columns of a parties import: a "no" is imported with its proof (the file's name and
hash, the importing user, a stored wording); a "yes" is reported on its row, never imported."""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import call_command

from clientela.accounts.models import User
from clientela.consent.models import ConsentRecord, ConsentSource, ConsentStatus
from clientela.consent.services import current_consents, may_contact
from clientela.imports.services.party_consent import IMPORTED_WITHDRAWAL
from clientela.parties.models import Party
from tests.consent.conftest import grant
from tests.factories import make_party
from tests.imports.conftest import Importer, Writer

pytestmark = pytest.mark.django_db
CONTACT_CHANNELS = ("email", "sms", "phone", "post", "messaging")


def _party(email: str) -> Party:
    return Party.objects.get(contact_points__normalized=email)


def test_a_no_is_imported_as_a_withdrawal_with_the_file_and_the_user_as_proof(
    admin: User, run_import: Importer, write: Writer
) -> None:
    content = "name,email,Newsletter\nAna Lima,ana@example.org,no\n"
    path = write("crm-export.csv", content)
    summary = run_import("parties", path)
    assert (summary.created, summary.rejected, summary.problems) == (1, 0, [])
    records = ConsentRecord.objects.filter(party=_party("ana@example.org"))
    assert {(r.purpose, r.channel, r.status) for r in records} == {
        ("newsletter", channel, "withdrawn") for channel in CONTACT_CHANNELS
    }
    sha = hashlib.sha256(content.encode()).hexdigest()
    for record in records:
        assert record.source == ConsentSource.IMPORT
        assert record.actor == admin
        assert record.note == f"import of crm-export.csv (SHA-256 {sha}), row 2"
        assert record.wording is not None
        assert record.wording.text == IMPORTED_WITHDRAWAL
    decision = may_contact(_party("ana@example.org"), purpose="newsletter", channel="email")
    assert decision.reason == "withdrawn"


def test_a_yes_is_reported_on_its_row_and_not_imported(
    admin: User, write: Writer, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write("p.csv", "name,email,Marketing consent\nAna Lima,ana@example.org,Yes\n")
    call_command("import", "parties", str(path))  # the row is imported: exit 0
    captured = capsys.readouterr()
    assert (
        "row 2, column 'Marketing consent', value 'Yes': a consent is not imported: a file is "
        "no proof of it"
    ) in captured.err
    assert "columns not imported" not in captured.err  # no longer dropped in one line
    assert "1 rows: 1 created" in captured.out
    assert not ConsentRecord.objects.exists()
    assert Party.objects.count() == 1


def test_opted_out_is_an_objection_to_all_direct_marketing(
    admin: User, run_import: Importer, write: Writer
) -> None:
    summary = run_import(
        "parties", write("p.csv", "name,email,Unsubscribed\nAna,a@example.org,x\n")
    )
    assert (summary.created, summary.rejected) == (1, 0)
    state = current_consents(_party("a@example.org"))
    expected = {
        (p, c)
        for p in ("marketing", "newsletter", "greetings", "surveys")
        for c in CONTACT_CHANNELS
    } | {("profiling", "any")}
    assert set(state) == expected
    assert {r.status for r in state.values()} == {ConsentStatus.WITHDRAWN}


def test_a_channel_column_withdraws_on_that_channel_only(
    admin: User, run_import: Importer, write: Writer
) -> None:
    path = write("p.ndjson", '{"name": "Ana", "email": "a@example.org", "SMS opt-in": false}\n')
    summary = run_import("parties", path)
    assert summary.created == 1
    records = ConsentRecord.objects.all()
    assert [(r.purpose, r.channel, r.status) for r in records] == [
        ("marketing", "sms", "withdrawn")
    ]


def test_importing_the_file_again_changes_nothing(
    admin: User, run_import: Importer, write: Writer
) -> None:
    path = write("p.csv", "name,email,newsletter\nAna Lima,ana@example.org,não\n")
    run_import("parties", path)
    again = run_import("parties", path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert ConsentRecord.objects.count() == len(CONTACT_CHANNELS)


def test_a_withdrawal_for_a_known_party_is_recorded_without_upsert(
    admin: User, run_import: Importer, write: Writer
) -> None:
    party = make_party(email="ana@example.org", given_name="Ana", family_name="Lima")
    grant(party, "marketing", "email")
    path = write("p.csv", "email,consent.marketing.email\nana@example.org,withdrawn\n")
    summary = run_import("parties", path)
    assert (summary.updated, summary.rejected) == (1, 0)
    assert current_consents(party)[("marketing", "email")].status == ConsentStatus.WITHDRAWN
    assert not may_contact(party, purpose="marketing", channel="email").allowed


def test_a_value_that_says_neither_yes_nor_no_refuses_the_row(
    admin: User, run_import: Importer, write: Writer
) -> None:
    path = write("p.csv", "name,email,newsletter\nAna Lima,ana@example.org,maybe\n")
    summary = run_import("parties", path)
    assert (summary.created, summary.rejected, summary.written) == (0, 1, False)
    [problem] = summary.problems
    assert (problem.column, problem.value, problem.code) == (
        "newsletter",
        "maybe",
        "consent_value_unknown",
    )


def test_a_skipped_row_records_no_consent(admin: User, run_import: Importer, write: Writer) -> None:
    from clientela.consent.services import suppress

    suppress("email", "gone@example.org", reason="manual")
    summary = run_import(
        "parties", write("p.csv", "name,email,newsletter\nGo Ne,gone@example.org,yes\n")
    )
    assert (summary.skipped, summary.created) == (1, 0)
    assert [p.code for p in summary.problems] == ["contact_on_suppression_list"]
    assert not ConsentRecord.objects.exists()
