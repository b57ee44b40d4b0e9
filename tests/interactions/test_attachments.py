"""Attachments: kept by a random name under CLIENTELA_HOME, typed by content, size-limited,
downloaded through an access check, exported with the person's data and erased with it."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse
from django.http.response import HttpResponseBase
from django.test import Client
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks, Settings

from clientela.accounts.models import User
from clientela.consent.services import erase_party, export_party, write_archive
from clientela.interactions.models import Attachment, Interaction
from tests import factories

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]
ApiClient = Callable[[User], Client]
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def log(client: Client, party_id: int, *files: SimpleUploadedFile, subject: str = "Quote") -> int:
    data: dict[str, object] = {
        "party_id": str(party_id),
        "channel": "email",
        "direction": "inbound",
        "subject": subject,
        "files": list(files),
    }
    return client.post("/interactions/new/", data).status_code


def status(response: HttpResponseBase) -> int:
    """The status of a download, read to its end: the test client then closes its file
    without ending the test's database connection (response.close() would, on PostgreSQL)."""
    if isinstance(response, FileResponse):
        response.getvalue()
    return response.status_code


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_files_sent_with_the_log_form_are_kept_by_a_random_name_outside_any_served_root(
    sales_a: User, web_client: WebClient, home: Path
) -> None:
    party = factories.make_party(owner=sales_a, team=sales_a.team)

    status = log(
        web_client(sales_a),
        party.pk,
        upload("../../etc/quote.pdf", PDF),
        upload("photo.jpeg", PNG),  # a PNG whatever its name says
        upload("offer.docx", docx()),
        upload("list.csv", b"name,total\nAna,12\n"),
    )

    assert status == 302
    rows = list(Attachment.objects.order_by("id"))
    assert [(a.name, a.content_type) for a in rows] == [
        ("quote.pdf", "application/pdf"),
        ("photo.jpeg", "image/png"),
        ("offer.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("list.csv", "text/csv"),
    ]
    stored = rows[0].stored_name
    assert len(stored) == 32
    assert "quote" not in stored
    path = home / "attachments" / stored[:2] / stored
    assert path.read_bytes() == PDF
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert rows[0].size == len(PDF)
    assert rows[0].interaction.party_id == party.pk


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", b"<html><script>alert(1)</script></html>"),
        ("logo.pdf", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>'),
        ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"),
        ("offer.docx", b"PK\x03\x04" + b"\x00" * 60),
    ],
)
def test_a_forbidden_type_is_refused_whatever_its_name_and_nothing_is_kept(
    admin: User, web_client: WebClient, name: str, content: bytes, home: Path
) -> None:
    party = factories.make_party()

    response = web_client(admin).post(
        "/interactions/new/",
        {
            "party_id": str(party.pk),
            "channel": "email",
            "direction": "inbound",
            "subject": "Invoice",
            "files": [upload("fine.pdf", PDF), upload(name, content)],
        },
    )

    body = response.content.decode()
    assert response.status_code == 422
    assert 'id="log-files-error"' in body
    assert "is not a file of an accepted kind" in body
    assert name in body
    assert not Interaction.objects.exists()  # the interaction stays out too
    assert not Attachment.objects.exists()
    assert not any(p.is_file() for p in (home / "attachments").rglob("*"))


def test_a_file_over_the_limit_is_refused_naming_it_and_the_limit(
    admin: User, api_client: ApiClient, settings: Settings
) -> None:
    settings.CLIENTELA_ATTACHMENT_MAX_BYTES = 1000
    entry = factories.make_interaction(factories.make_party(), subject="Call")

    response = api_client(admin).post(
        f"/api/v1/interactions/{entry.pk}/attachments",
        {"files": [upload("small.txt", b"hello"), upload("big.pdf", PDF + b"0" * 1000)]},
    )

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], error["value"], error["code"]) == (
        "files",
        "big.pdf",
        "attachment_too_large",
    )
    assert error["params"]["max"] == 1000
    assert not Attachment.objects.exists()


def test_a_request_larger_than_any_upload_could_be_is_refused_before_reading_it(
    admin: User, api_client: ApiClient, settings: Settings
) -> None:
    settings.CLIENTELA_ATTACHMENT_MAX_BYTES = 10
    entry = factories.make_interaction(factories.make_party(), subject="Call")

    response = api_client(admin).post(
        f"/api/v1/interactions/{entry.pk}/attachments",
        {"files": [upload("big.txt", b"x" * (2**20 + 200))]},
    )

    assert (response.status_code, response.json()["code"]) == (413, "body_too_large")


def test_the_allowed_types_are_configurable(
    admin: User, api_client: ApiClient, settings: Settings
) -> None:
    settings.CLIENTELA_ATTACHMENT_TYPES = "pdf"
    entry = factories.make_interaction(factories.make_party(), subject="Call")
    url = f"/api/v1/interactions/{entry.pk}/attachments"

    refused = api_client(admin).post(url, {"files": [upload("a.png", PNG)]})
    taken = api_client(admin).post(url, {"files": [upload("a.pdf", PDF)]})

    assert refused.json()["errors"][0]["code"] == "attachment_type_forbidden"
    assert refused.json()["errors"][0]["params"]["allowed"] == "PDF"
    assert taken.status_code == 201
    assert taken.json()[0]["content_type"] == "application/pdf"


def test_a_download_is_an_attachment_typed_by_content_for_those_who_see_the_party(
    sales_a: User,
    sales_b: User,
    viewer: User,
    manager: User,
    web_client: WebClient,
    api_client: ApiClient,
) -> None:
    party = factories.make_party(owner=sales_a, team=sales_a.team)
    log(web_client(sales_a), party.pk, upload("Notes é.txt", b"plain words\n"))
    file = Attachment.objects.get()
    url = f"/interactions/{file.interaction_id}/attachments/{file.pk}/"

    response = web_client(viewer).get(url)

    assert response.status_code == 200
    assert response.getvalue() == b"plain words\n"
    assert response["Content-Type"] == "text/plain"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Notes%20%C3%A9.txt" in response["Content-Disposition"]
    assert status(web_client(manager).get(url)) == 200
    assert web_client(sales_b).get(url).status_code == 404  # another team's party
    wrong_entry = f"/interactions/{file.interaction_id + 1}/attachments/{file.pk}/"
    assert web_client(sales_a).get(wrong_entry).status_code == 404
    api = f"/api/v1/interactions/{file.interaction_id}/attachments/{file.pk}"
    assert status(api_client(sales_a).get(api)) == 200
    assert api_client(sales_b).get(api).json()["code"] == "attachment_not_found"


def test_the_timeline_lists_the_files_and_a_viewer_cannot_add_any(
    sales_a: User, viewer: User, web_client: WebClient, api_client: ApiClient
) -> None:
    party = factories.make_party(owner=sales_a, team=sales_a.team)
    log(web_client(sales_a), party.pk, upload("quote.pdf", PDF))
    file = Attachment.objects.get()

    page = web_client(viewer).get(f"/parties/{party.pk}/").content.decode()

    assert (
        f'href="/interactions/{file.interaction_id}/attachments/{file.pk}/" download>quote.pdf'
        in page
    )
    refused = api_client(viewer).post(
        f"/api/v1/interactions/{file.interaction_id}/attachments",
        {"files": [upload("more.pdf", PDF)]},
    )
    assert refused.status_code == 403
    assert Attachment.objects.count() == 1


def test_the_privacy_export_lists_the_files_and_its_zip_holds_them(
    admin: User, web_client: WebClient
) -> None:
    party = factories.make_party()
    log(web_client(admin), party.pk, upload("scan.pdf", PDF))
    file = Attachment.objects.get()

    [listed] = export_party(party)["interaction_attachments"]
    buffer = io.BytesIO()
    write_archive(party, buffer)
    archive = zipfile.ZipFile(buffer)

    assert (listed["name"], listed["size"], listed["content_type"]) == (
        "scan.pdf",
        len(PDF),
        "application/pdf",
    )
    assert listed["archive_path"] == f"attachments/{file.pk}-scan.pdf"
    assert listed["download"] == f"/interactions/{file.interaction_id}/attachments/{file.pk}/"
    assert archive.read(listed["archive_path"]) == PDF
    data = json.loads(archive.read("data.json"))
    assert data["interaction_attachments"][0]["sha256"] == file.sha256


def test_erasure_deletes_the_rows_and_then_the_files(
    admin: User,
    web_client: WebClient,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    home: Path,
) -> None:
    party = factories.make_party(email="zed@example.com")
    log(web_client(admin), party.pk, upload("zed.pdf", PDF))
    stored = Attachment.objects.get().stored_name
    path = home / "attachments" / stored[:2] / stored
    assert path.is_file()

    with django_capture_on_commit_callbacks(execute=True):
        erase_party(party, by=admin)

    assert not Attachment.objects.exists()
    assert not path.exists()
