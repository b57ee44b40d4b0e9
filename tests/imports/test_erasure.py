"""An erasure removes the person from imports: kept files that name them, and problem values."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from clientela.accounts.models import User
from clientela.consent.services import erase_party
from clientela.core.errors import message_id
from clientela.imports.models import ImportRun, ImportSource, ImportStatus
from clientela.imports.services import uploads
from clientela.imports.services.erasure import ERASED_FILES, ERASED_PROBLEM
from clientela.imports.services.problems import RowProblem
from tests.factories import make_party

pytestmark = pytest.mark.django_db
Web = Callable[[User], Client]
HEADER = "external_id,customer_id,ordered_at,total,currency\n"


def upload(client: Client, content: str) -> ImportRun:
    file = SimpleUploadedFile("orders.csv", content.encode(), content_type="text/csv")
    assert client.post("/imports/", {"kind": "orders", "file": file}).status_code == 302
    return ImportRun.objects.latest("pk")


def kept(run: ImportRun) -> list[str]:
    folder = Path(uploads.source_path(run)).parent
    return sorted(p.name for p in folder.iterdir() if p.name != "progress.json")


def test_an_erasure_deletes_the_kept_files_and_problems_that_name_the_person(
    web_client: Web,
    manager: User,
    admin: User,
    django_capture_on_commit_callbacks: Callable[..., AbstractContextManager[object]],
) -> None:
    person = make_party(external_id="CUST-77", email="Ana.Lima@example.org")
    make_party(external_id="CUST-88")
    client = web_client(manager)
    theirs = upload(client, HEADER + "O1,CUST-77,2024-03-01T10:00:00Z,bad,EUR\n")
    client.post(f"/imports/{theirs.pk}/start/", {"skip_invalid": "on"})
    other = upload(client, HEADER + "O2,CUST-88,2024-03-01T10:00:00Z,bad,EUR\n")
    client.post(f"/imports/{other.pk}/start/", {"skip_invalid": "on"})
    pending = upload(client, HEADER + "O3,ana.lima@EXAMPLE.org,2024-03-01T10:00:00Z,1,EUR\n")
    by_hand = ImportRun.objects.create(
        kind="orders",
        source=ImportSource.CLI,
        file_name="orders.csv",
        status=ImportStatus.INVALID,
        problems=[
            # As kept before problems had codes: an English reason.
            {"row": 2, "column": "email", "value": "ana.lima@example.org", "reason": "x"},
            {"row": 3, "column": "external_id", "value": "O9", "reason": "CUST-77 is used"},
            {"row": 4, "column": "total", "value": "abc", "reason": "is not a number"},
            # As kept now: the person is named by a parameter of the message.
            {
                "line": 5,
                "field": "party_email",
                "value": "",
                "code": "email_of_several_parties",
                "message": "belongs to several parties (%(parties)s)",
                "params": {"parties": "CUST-77, CUST-88"},
            },
        ],
    )
    assert kept(theirs) == ["rejects.csv", "source"]

    with django_capture_on_commit_callbacks(execute=True):
        erase_party(person, by=admin)

    for run in (theirs, other, pending, by_hand):
        run.refresh_from_db()
    assert kept(theirs) == []
    assert (theirs.error, theirs.rejects_file) == (message_id(ERASED_FILES), "")
    assert theirs.error_detail["code"] == "import_files_erased"
    assert theirs.problems[0]["value"] == "bad"  # a problem that does not name them stays
    assert kept(pending) == []
    assert pending.status == ImportStatus.FAILED  # its file is gone: it cannot be started
    assert kept(other) == ["rejects.csv", "source"]  # someone else's import is left alone
    assert other.problems[0]["value"] == "bad"
    shown = [RowProblem.from_record(p) for p in by_hand.problems]
    erased = str(ERASED_PROBLEM)
    assert [(p.row, p.column, p.value, p.text()) for p in shown] == [
        (2, "email", "", erased),
        (3, "external_id", "", erased),
        (4, "total", "abc", "is not a number"),
        (5, "party_email", "", erased),
    ]
    assert by_hand.problems[-1]["params"] == {}
