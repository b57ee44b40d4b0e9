from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django.fixtures import Settings

from clientela.accounts.models import Right, Role, User
from clientela.commerce.models import Order
from clientela.core.errors import message_id
from clientela.imports.models import ImportRun, ImportStatus
from clientela.imports.services import runs, uploads
from tests.conftest import Grant
from tests.factories import make_party

Web = Callable[[User], Client]
ORDERS = (
    "Pedido;Cliente;Data;Valor;Moeda\n"
    "O1;C1;2024-03-01T10:00:00Z;10.00;EUR\n"
    "O2;C1;2024-03-01T10:00:00Z;dez;EUR\n"
)


def _upload(client: Client, content: str, kind: str = "orders") -> ImportRun:
    file = SimpleUploadedFile("vendas.csv", content.encode(), content_type="text/csv")
    response = client.post("/imports/", {"kind": kind, "file": file})
    assert response.status_code == 302, response.content
    return ImportRun.objects.latest("pk")


@pytest.mark.django_db
def test_an_upload_proposes_the_mapping_from_portuguese_headers(
    web_client: Web, manager: User
) -> None:
    run = _upload(web_client(manager), ORDERS)
    assert run.mapping == {
        "Pedido": "external_id",
        "Cliente": "party_external_id",
        "Data": "ordered_at",
        "Valor": "total",
        "Moeda": "currency",
    }
    page = web_client(manager).get(f"/imports/{run.pk}/")
    assert page.status_code == 200
    assert b'<option value="total" selected>' in page.content


@pytest.mark.django_db
def test_the_preview_shows_each_rows_problems_and_writes_nothing(
    web_client: Web, manager: User
) -> None:
    make_party(external_id="C1")
    client = web_client(manager)
    run = _upload(client, ORDERS)
    response = client.post(f"/imports/{run.pk}/preview/", {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"dez" in response.content
    assert b"is not a number" in response.content
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_an_import_with_skip_invalid_gives_counts_and_downloadable_rejects(
    web_client: Web, manager: User
) -> None:
    make_party(external_id="C1")
    client = web_client(manager)
    run = _upload(client, ORDERS)
    response = client.post(f"/imports/{run.pk}/start/", {"skip_invalid": "on"})
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.created, run.rejected) == (ImportStatus.DONE, 1, 1)
    assert run.created_by == manager
    rejects = client.get(f"/imports/{run.pk}/rejects/")
    body = rejects.getvalue()
    assert b"O2;C1" not in body  # written back with commas
    assert b"O2,C1,2024-03-01T10:00:00Z,dez,EUR,3," in body


@pytest.mark.django_db
def test_an_all_or_nothing_import_with_a_bad_row_writes_nothing(
    web_client: Web, manager: User
) -> None:
    make_party(external_id="C1")
    client = web_client(manager)
    run = _upload(client, ORDERS)
    client.post(f"/imports/{run.pk}/start/", {})
    run.refresh_from_db()
    assert run.status == ImportStatus.INVALID
    assert Order.objects.count() == 0
    page = client.get(f"/imports/{run.pk}/")
    assert b"Nothing was imported" in page.content
    # The valid rows were not created: the page does not say "Created" beside "Nothing".
    html = page.content.decode()
    assert "<dt>Created</dt>" not in html
    assert f"<dt>Valid, not imported</dt><dd>{run.created + run.unchanged}</dd>" in html


@pytest.mark.django_db
def test_a_large_file_runs_as_a_background_task_with_progress(
    web_client: Web, manager: User, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(uploads, "SMALL_FILE", 0)
    make_party(external_id="C1")
    client = web_client(manager)
    run = _upload(client, ORDERS.rsplit("O2", 1)[0])
    client.post(f"/imports/{run.pk}/start/", {})
    run.refresh_from_db()
    assert (run.status, run.created) == (ImportStatus.DONE, 1)
    progress = client.get(f"/imports/{run.pk}/progress/", HTTP_HX_REQUEST="true")
    assert b"every 1s" not in progress.content  # finished: no more polling


@pytest.mark.django_db
def test_an_unexpected_error_marks_the_import_failed_without_its_details(
    web_client: Web, manager: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = _upload(web_client(manager), ORDERS)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the import's reader failed: Traceback (most recent call last) ...")

    monkeypatch.setattr(runs, "import_file", broken)
    with pytest.raises(RuntimeError, match="reader failed"):
        uploads.execute(run)
    run.refresh_from_db()
    assert (run.status, run.error) == (ImportStatus.FAILED, message_id(runs.UNEXPECTED))
    assert run.error_detail["code"] == "import_failed_unexpectedly"
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_an_import_whose_process_ended_shows_as_interrupted(web_client: Web, manager: User) -> None:
    import os
    import socket
    import subprocess
    import sys

    here = socket.gethostname()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])  # ended and reaped: its pid is free
    gone.wait()

    def running(pid: int, host: str) -> ImportRun:
        return ImportRun.objects.create(
            kind="orders", source="cli", file_name="o.csv", status=ImportStatus.RUNNING,
            created_by=manager, pid=pid, host=host,
        )  # fmt: skip

    killed, alive, elsewhere = running(gone.pid, here), running(os.getpid(), here), running(1, "x")
    client = web_client(manager)
    assert client.get("/imports/").status_code == 200
    for run in (killed, alive, elsewhere):
        run.refresh_from_db()
    assert (killed.status, killed.error) == (ImportStatus.FAILED, message_id(runs.INTERRUPTED))
    assert (alive.status, elsewhere.status) == (ImportStatus.RUNNING, ImportStatus.RUNNING)
    assert message_id(runs.INTERRUPTED) in client.get(f"/imports/{killed.pk}/").content.decode()


@pytest.mark.django_db
def test_a_viewer_may_not_import(web_client: Web, viewer: User) -> None:
    assert web_client(viewer).get("/imports/").status_code == 403


@pytest.mark.django_db
def test_imports_need_a_signed_in_user() -> None:
    response = Client().get("/imports/")
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


@pytest.mark.django_db
def test_a_sales_user_cannot_open_another_users_import(
    web_client: Web, manager: User, sales_a: User
) -> None:
    run = _upload(web_client(manager), ORDERS)
    assert web_client(sales_a).get(f"/imports/{run.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_parties_csv_export_follows_the_list_filters_and_access(
    web_client: Web, sales_a: User, sales_b: User, grant: Grant
) -> None:
    grant(Role.SALES, Right.EXPORT)  # to show the export holds only what sales_a may see
    make_party(given_name="Ana", team=sales_a.team, roles=("customer",))
    make_party(given_name="Alberto", team=sales_a.team, roles=("partner",))
    make_party(given_name="Anabela", team=sales_b.team, roles=("customer",))
    response = web_client(sales_a).get("/exports/parties.csv?q=an&role=customer")
    assert response["Content-Type"].startswith("text/csv")
    body = response.getvalue().decode()
    assert ",Ana," in body
    assert "Alberto" not in body
    assert "Anabela" not in body


@pytest.mark.django_db
def test_a_duplicate_row_on_the_page_says_what_to_tick_not_a_command_option(
    web_client: Web, manager: User
) -> None:
    make_party(email="ana@example.com")
    client = web_client(manager)
    run = _upload(client, "given_name,email\nAna,ana@example.com\n", kind="parties")
    preview = client.post(f"/imports/{run.pk}/preview/", {}, HTTP_HX_REQUEST="true")
    client.post(f"/imports/{run.pk}/start/", {})
    page = client.get(f"/imports/{run.pk}/")
    for html in (preview.content.decode(), page.content.decode()):
        assert "is a duplicate of party #" in html
        assert "tick “Update the parties that rows match”" in html
        assert "--upsert" not in html
