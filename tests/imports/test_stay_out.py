"""Erased and suppressed people stay out of party imports, through every door of an import:
the command line, the web page and the worker. A row whose e-mail or phone is on the
suppression list is reported and skipped, unless the person came back themself (a new sign-up
they confirmed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from clientela.consent.models import SuppressionReason
from clientela.consent.schemas import SignupIn
from clientela.consent.services import Proof, confirm_signup, erase_party, start_signup, suppress
from clientela.imports.models import ImportRun, ImportStatus
from clientela.imports.services import uploads
from clientela.parties.models import ContactPoint, Party
from clientela.parties.schemas import PartyCreate
from clientela.parties.services import create_party
from tests.imports.conftest import Importer, Writer

Web = Callable[[User], Client]
EMAIL, PHONE = "zebulon.quixwort@example.org", "+351913579246"
ROWS = (
    "name,email,phone\n"
    f"Zebulon Quixwort,{EMAIL},{PHONE}\n"
    "Ana Lima,ana.lima@example.org,+351912000111\n"
)


def _erased(by: User) -> Party:
    """A person created through the service, then erased."""
    data = PartyCreate.model_validate(
        {
            "kind": "person",
            "given_name": "Zebulon",
            "family_name": "Quixwort",
            "contact_points": [
                {"kind": "email", "value": EMAIL},
                {"kind": "phone", "value": PHONE},
            ],
        }
    )
    with transaction.atomic():
        party = create_party(data, by=by)
        erase_party(party, by=by)
    return party


def _holders(value: str) -> list[int]:
    return list(
        ContactPoint.objects.filter(normalized=value, party__archived_at__isnull=True).values_list(
            "party_id", flat=True
        )
    )


def _today() -> str:
    return timezone.localdate().isoformat()


@pytest.mark.django_db
def test_re_importing_an_erased_person_from_the_command_line_skips_and_reports_the_row(
    admin: User, write: Writer, capsys: pytest.CaptureFixture[str]
) -> None:
    _erased(admin)
    call_command("import", "parties", str(write("people.csv", ROWS)))  # exit 0: nothing to fix
    captured = capsys.readouterr()
    assert f"row 2, column 'email': was erased on {_today()}; not re-created" in captured.err
    assert f"row 2, column 'phone': was erased on {_today()}; not re-created" in captured.err
    assert EMAIL not in captured.err  # the report does not write the erased address again
    assert "2 rows: 1 created, 0 updated, 0 unchanged, 0 rejected" in captured.out
    assert "1 row skipped: kept out on purpose" in captured.out
    assert _holders(EMAIL) == []
    assert _holders(PHONE) == []
    run = ImportRun.objects.get()
    assert (run.status, run.created, run.skipped, run.rejected) == (ImportStatus.DONE, 1, 1, 0)
    assert {p["code"] for p in run.problems} == {"contact_erased"}
    assert all(EMAIL not in str(p) for p in run.problems)


@pytest.mark.django_db
def test_an_erased_phone_alone_keeps_the_row_out(
    admin: User, run_import: Importer, write: Writer
) -> None:
    _erased(admin)
    path = write("p.csv", f"name,phone\nZ. Quixwort,{PHONE.replace('+351', '+351 ')}\n")
    summary = run_import("parties", path)
    assert (summary.created, summary.skipped, summary.rejected) == (0, 1, 0)
    assert summary.written
    assert [(p.column, p.code) for p in summary.problems] == [("phone", "contact_erased")]


@pytest.mark.parametrize(
    ("reason", "code", "words"),
    [
        (SuppressionReason.HARD_BOUNCE, "contact_hard_bounced", "bounced"),
        (SuppressionReason.COMPLAINT, "contact_complained", "complained"),
        (SuppressionReason.MANUAL, "contact_on_suppression_list", "suppression list"),
    ],
)
@pytest.mark.django_db
def test_a_suppressed_address_is_skipped_with_its_reason(
    admin: User, run_import: Importer, write: Writer, reason: str, code: str, words: str
) -> None:
    suppress("email", "Bounced@Example.org", reason=reason)
    summary = run_import("parties", write("p.csv", "name,email\nBo Unce,bounced@example.org\n"))
    assert (summary.created, summary.skipped) == (0, 1)
    [problem] = summary.problems
    assert (problem.row, problem.column, problem.code) == (2, "email", code)
    assert words in problem.text()
    assert _today() in problem.text()


@pytest.mark.django_db
def test_a_lifted_suppression_lets_the_row_in(
    admin: User, run_import: Importer, write: Writer
) -> None:
    from clientela.consent.services import lift_suppression

    suppress("email", "back@example.org", reason=SuppressionReason.HARD_BOUNCE)
    lift_suppression("email", "back@example.org")
    summary = run_import("parties", write("p.csv", "name,email\nBea Back,back@example.org\n"))
    assert (summary.created, summary.skipped) == (1, 0)


@pytest.mark.django_db
def test_a_person_who_signed_up_again_is_matched_and_updated_not_skipped(
    admin: User, run_import: Importer, write: Writer
) -> None:
    _erased(admin)
    started = start_signup(
        SignupIn.model_validate(
            {"email": EMAIL, "name": "Zeb Q", "wording": {"text": "Yes, the newsletter."}}
        ),
        proof=Proof(ip="203.0.113.9"),
    )
    assert started is not None
    assert confirm_signup(started.token, proof=Proof(ip="203.0.113.9")) is not None
    [returned] = _holders(EMAIL)
    path = write("p.csv", f"name,email,tags\nZebulon Quixwort,{EMAIL},back\n")
    summary = run_import("parties", path, upsert=True)
    assert (summary.updated, summary.skipped, summary.rejected) == (1, 0, 0)
    assert _holders(EMAIL) == [returned]


@pytest.mark.django_db
def test_a_kept_out_row_is_not_written_to_the_rejects_file(
    admin: User, run_import: Importer, write: Writer, tmp_path: Path
) -> None:
    _erased(admin)
    path = write(
        "p.csv",
        "name,email,phone,birthday\n"
        f"Zebulon Quixwort,{EMAIL},{PHONE},\n"
        "Ana Lima,ana.lima@example.org,+351912000111,\n"
        "Bad Date,bad@example.org,+351912000222,yesterday\n",
    )
    rejects = tmp_path / "rejects.csv"
    summary = run_import("parties", path, rejects=rejects, skip_invalid=True)
    assert (summary.created, summary.skipped, summary.rejected) == (1, 1, 1)
    text = rejects.read_text()
    assert "Bad Date" in text
    assert EMAIL not in text


@pytest.mark.django_db
def test_a_dry_run_reports_the_kept_out_row(
    admin: User, run_import: Importer, write: Writer
) -> None:
    _erased(admin)
    summary = run_import("parties", write("p.csv", ROWS), dry_run=True)
    assert (summary.created, summary.skipped) == (1, 1)
    assert {p.code for p in summary.problems} == {"contact_erased"}
    assert not Party.objects.filter(archived_at__isnull=True).exists()


def _upload(client: Client, content: str) -> ImportRun:
    file = SimpleUploadedFile("people.csv", content.encode(), content_type="text/csv")
    response = client.post("/imports/", {"kind": "parties", "file": file})
    assert response.status_code == 302, response.content
    return ImportRun.objects.latest("pk")


@pytest.mark.parametrize("door", ["web", "worker"])
@pytest.mark.django_db
def test_the_web_and_worker_imports_skip_the_erased_person_and_show_why(
    web_client: Web,
    manager: User,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    door: str,
) -> None:
    if door == "worker":
        settings.TASKS = {
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        }
        monkeypatch.setattr(uploads, "SMALL_FILE", 0)
    _erased(manager)
    client = web_client(manager)
    run = _upload(client, ROWS)
    preview = client.post(f"/imports/{run.pk}/preview/", {}, HTTP_HX_REQUEST="true")
    assert f"was erased on {_today()}; not re-created" in preview.content.decode()
    client.post(f"/imports/{run.pk}/start/", {})
    run.refresh_from_db()
    assert (run.status, run.created, run.skipped) == (ImportStatus.DONE, 1, 1)
    assert _holders(EMAIL) == []
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert f"was erased on {_today()}; not re-created" in page
    assert "Skipped" in page
