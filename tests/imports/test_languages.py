"""Import problems are kept untranslated and shown in the language of whoever reads them: the
preview and the result page in the reader's, the rejects file in its downloader's, the command's
report in the active language."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from clientela.accounts.models import User
from clientela.imports.models import ImportRun, ImportStatus
from tests.factories import make_party

pytestmark = pytest.mark.django_db

# Row 2 has no channel; row 3 names a customer nobody can see.
INTERACTIONS = "Cliente;Canal;Direção;Assunto\nC1;;inbound;Olá\nC9;email;inbound;Olá\n"
REQUIRED = {"en": "is required", "pt": "é obrigatório"}
NOT_VISIBLE = {"en": "is not a party you can see", "pt": "não é uma parte que possa ver"}


def reader(user: User, language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def upload(client: Client) -> ImportRun:
    file = SimpleUploadedFile("contactos.csv", INTERACTIONS.encode(), content_type="text/csv")
    response = client.post("/imports/", {"kind": "interactions", "file": file})
    assert response.status_code == 302, response.content
    return ImportRun.objects.latest("pk")


def test_an_import_preview_in_portuguese_shows_portuguese_row_problems(manager: User) -> None:
    make_party(external_id="C1")
    client = reader(manager, "pt")
    run = upload(client)

    response = client.post(f"/imports/{run.pk}/preview/", {}, HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert response.status_code == 200
    assert REQUIRED["pt"] in page
    assert NOT_VISIBLE["pt"] in page
    assert REQUIRED["en"] not in page


def test_the_result_page_shows_the_kept_problems_in_each_readers_language(
    manager: User, admin: User
) -> None:
    make_party(external_id="C1")
    run = upload(reader(manager, "pt"))
    reader(manager, "pt").post(f"/imports/{run.pk}/start/", {"skip_invalid": "on"})
    run.refresh_from_db()
    assert (run.status, run.rejected) == (ImportStatus.DONE, 2)
    # Kept untranslated, whoever ran it: the message id, its code and parameters.
    assert [(p["line"], p["code"], p["message"]) for p in run.problems] == [
        (2, "missing", REQUIRED["en"]),
        (3, "party_not_visible", NOT_VISIBLE["en"]),
    ]

    for language in ("pt", "en"):
        page = reader(admin, language).get(f"/imports/{run.pk}/").content.decode()
        assert REQUIRED[language] in page
        assert NOT_VISIBLE[language] in page


def test_the_rejects_file_is_in_the_language_of_whoever_downloads_it(manager: User) -> None:
    make_party(external_id="C1")
    run = upload(reader(manager, "en"))
    reader(manager, "en").post(f"/imports/{run.pk}/start/", {"skip_invalid": "on"})

    for language in ("pt", "en"):
        response = reader(manager, language).get(f"/imports/{run.pk}/rejects/")
        body = response.getvalue().decode()
        assert response["Content-Disposition"] == ('attachment; filename="contactos-rejects.csv"')
        lines = body.splitlines()
        assert lines[0] == "Cliente,Canal,Direção,Assunto,_row,_errors"
        assert lines[1] == f"C1,,inbound,Olá,2,Canal: {REQUIRED[language]}"
        assert lines[2] == f"C9,email,inbound,Olá,3,Cliente: {NOT_VISIBLE[language]}"


def test_the_command_reports_in_the_active_language(
    admin: User, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_party(external_id="C1")
    path = tmp_path / "contactos.csv"
    path.write_text(INTERACTIONS)
    rejects = tmp_path / "rejects.csv"

    with translation.override("pt"), pytest.raises(SystemExit):
        call_command(
            "import", "interactions", str(path), "--skip-invalid", "--rejects", str(rejects)
        )

    assert REQUIRED["pt"] in capsys.readouterr().err
    assert f"C9,email,inbound,Olá,3,Cliente: {NOT_VISIBLE['pt']}" in rejects.read_text()
    # The record keeps them untranslated, for whoever opens it later.
    assert ImportRun.objects.get().problems[0]["message"] == REQUIRED["en"]
