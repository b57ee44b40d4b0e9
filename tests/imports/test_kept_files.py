"""The files an import keeps: the upload, its rejects and progress are private (0600 in a 0700
folder), and they are deleted CLIENTELA_UPLOAD_RETENTION_DAYS after the upload, which the run
records and its page shows."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from clientela.core.schedules import SCHEDULES
from clientela.imports.models import ImportRun, ImportStatus
from clientela.imports.services import expire_uploads
from clientela.imports.tasks import expire_uploads_task, schedule_upload_expiry
from clientela.parties.models import Party
from tests.factories import make_party
from tests.imports.conftest import Importer, Writer

pytestmark = pytest.mark.django_db
Web = Callable[[User], Client]
Callbacks = Callable[..., Any]
ORDERS = (
    "Pedido;Cliente;Data;Valor;Moeda\n"
    "O1;C1;2024-03-01T10:00:00Z;10.00;EUR\n"
    "O2;C1;2024-03-01T10:00:00Z;dez;EUR\n"
)


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """A process that did not set Clientela's umask: the files must be private all the same."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _imported(client: Client) -> ImportRun:
    """An upload imported with its invalid rows set aside (so it has rejects)."""
    if not Party.objects.filter(external_id="C1").exists():
        make_party(external_id="C1")
    file = SimpleUploadedFile("vendas.csv", ORDERS.encode(), content_type="text/csv")
    assert client.post("/imports/", {"kind": "orders", "file": file}).status_code == 302
    run = ImportRun.objects.latest("pk")
    client.post(f"/imports/{run.pk}/start/", {"skip_invalid": "on"})
    run.refresh_from_db()
    assert (run.status, run.rejected) == (ImportStatus.DONE, 1)
    return run


def _folder(run: ImportRun) -> Path:
    return Path(settings.HOME) / run.folder


def _uploaded_days_ago(run: ImportRun, days: int) -> None:
    ImportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(days=days))


# Private files


@pytest.mark.usefixtures("loose_umask")
def test_an_upload_its_rejects_and_its_progress_are_private(web_client: Web, manager: User) -> None:
    run = _imported(web_client(manager))
    folder = _folder(run)

    assert _mode(folder) == 0o700
    assert {path.name: _mode(path) for path in folder.iterdir()} == {
        "source": 0o600,
        "rejects.csv": 0o600,
        "progress.json": 0o600,
    }


@pytest.mark.usefixtures("loose_umask")
def test_a_rejects_file_asked_for_on_the_command_line_is_private(
    run_import: Importer, write: Writer, tmp_path: Path
) -> None:
    make_party(external_id="C1")
    rejects = tmp_path / "rejects.csv"
    run_import("orders", write("o.csv", ORDERS), rejects=rejects, skip_invalid=True)

    assert _mode(rejects) == 0o600


# Retention


def test_uploads_past_the_retention_are_deleted_and_the_run_says_so(
    web_client: Web,
    manager: User,
    settings: Settings,
    django_capture_on_commit_callbacks: Callbacks,
) -> None:
    settings.CLIENTELA_UPLOAD_RETENTION_DAYS = 30
    client = web_client(manager)
    old, recent = _imported(client), _imported(client)
    _uploaded_days_ago(old, 31)
    _uploaded_days_ago(recent, 29)

    with django_capture_on_commit_callbacks(execute=True):
        expired = expire_uploads_task.call()

    old.refresh_from_db()
    recent.refresh_from_db()
    assert expired == 1
    assert not _folder(old).exists()
    assert old.files_expired_at is not None
    assert (old.status, old.rejects_file, old.created) == (ImportStatus.DONE, "", 1)
    assert sorted(p.name for p in _folder(recent).iterdir()) == [
        "progress.json",
        "rejects.csv",
        "source",
    ]
    assert recent.files_expired_at is None
    page = client.get(f"/imports/{old.pk}/").content.decode()
    assert "The uploaded file and its rejected rows were deleted on" in page
    assert f"/imports/{old.pk}/rejects/" not in page
    assert client.get(f"/imports/{old.pk}/rejects/").status_code == 404


def test_an_upload_never_imported_expires_as_failed_with_the_reason(
    web_client: Web, manager: User, django_capture_on_commit_callbacks: Callbacks
) -> None:
    client = web_client(manager)
    file = SimpleUploadedFile("vendas.csv", ORDERS.encode(), content_type="text/csv")
    client.post("/imports/", {"kind": "orders", "file": file})
    run = ImportRun.objects.latest("pk")
    _uploaded_days_ago(run, 31)

    with django_capture_on_commit_callbacks(execute=True):
        assert expire_uploads() == 1

    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    assert run.error_detail["code"] == "import_upload_expired"
    assert run.error_detail["params"] == {"days": 30}
    assert not _folder(run).exists()
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "the uploaded file was deleted 30 days after the upload" in page


def test_a_running_import_and_expired_ones_are_left_alone(
    web_client: Web, manager: User, django_capture_on_commit_callbacks: Callbacks
) -> None:
    client = web_client(manager)
    running, expired = _imported(client), _imported(client)
    ImportRun.objects.filter(pk=running.pk).update(status=ImportStatus.RUNNING)
    for run in (running, expired):
        _uploaded_days_ago(run, 40)
    with django_capture_on_commit_callbacks(execute=True):
        assert expire_uploads() == 1

    with django_capture_on_commit_callbacks(execute=True):
        again = expire_uploads()

    assert again == 0
    assert _folder(running).is_dir()


def test_a_retention_of_zero_keeps_uploads(
    web_client: Web, manager: User, settings: Settings
) -> None:
    settings.CLIENTELA_UPLOAD_RETENTION_DAYS = 0
    run = _imported(web_client(manager))
    _uploaded_days_ago(run, 3650)

    assert expire_uploads() == 0
    assert _folder(run).is_dir()


def test_the_worker_runs_the_expiry_every_day() -> None:
    from django_tasks_db.models import DBTaskResult

    assert SCHEDULES["imports.expire_uploads"] is schedule_upload_expiry
    assert schedule_upload_expiry() is True
    assert schedule_upload_expiry() is False
    waiting = DBTaskResult.objects.filter(task_path=expire_uploads_task.module_path)
    assert waiting.count() == 1
