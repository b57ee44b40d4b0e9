"""Every import lives the same life, whoever starts it: the command, a page, or the worker."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from pytest_django.fixtures import Settings

from clientela.accounts.models import Role, User
from clientela.core.errors import Invalid, message_id
from clientela.imports.models import ImportRun, ImportSource, ImportStatus
from clientela.imports.services import run_import, runs, store_upload, uploads
from tests.factories import make_user

pytestmark = pytest.mark.django_db
Web = Callable[[User], Client]
PARTIES = "given_name,family_name\nAna,Silva\n"


def ended_run(by: User) -> ImportRun:
    """A run said to be running, whose process has ended."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    return ImportRun.objects.create(
        kind="parties",
        source=ImportSource.CLI,
        file_name="old.csv",
        status=ImportStatus.RUNNING,
        created_by=by,
        pid=gone.pid,
        host=socket.gethostname(),
    )


def from_the_command(admin: User, tmp_path: Path, web_client: Web) -> ImportRun:
    path = tmp_path / "p.csv"
    path.write_text(PARTIES)
    call_command("import", "parties", str(path))
    return ImportRun.objects.get(source=ImportSource.CLI, file_name=str(path))


def from_a_page(admin: User, tmp_path: Path, web_client: Web) -> ImportRun:
    run = store_upload(io.BytesIO(PARTIES.encode()), name="p.csv", kind="parties", by=admin)
    web_client(admin).post(f"/imports/{run.pk}/start/", {})
    return run


def from_the_worker(admin: User, tmp_path: Path, web_client: Web) -> ImportRun:
    run = store_upload(io.BytesIO(PARTIES.encode()), name="p.csv", kind="parties", by=admin)
    uploads.start(run, by=admin)  # queued: SMALL_FILE is 0 here; the task runs at once
    return run


@pytest.mark.parametrize("begin", [from_the_command, from_a_page, from_the_worker])
def test_each_way_in_settles_ended_runs_and_records_its_process(
    begin: Callable[[User, Path, Web], ImportRun],
    admin: User,
    tmp_path: Path,
    web_client: Web,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(uploads, "SMALL_FILE", 0 if begin is from_the_worker else 10**9)
    stale = ended_run(admin)

    run = begin(admin, tmp_path, web_client)

    run.refresh_from_db()
    stale.refresh_from_db()
    assert (stale.status, stale.error) == (ImportStatus.FAILED, message_id(runs.INTERRUPTED))
    assert stale.error_detail["code"] == "import_interrupted"
    assert (run.status, run.created) == (ImportStatus.DONE, 1)
    assert (run.pid, run.host) == (os.getpid(), socket.gethostname())
    assert run.started_at is not None
    assert run.finished_at is not None
    assert run.finished_at >= run.started_at


def test_a_run_that_has_started_is_not_run_again(admin: User, tmp_path: Path) -> None:
    run = store_upload(io.BytesIO(PARTIES.encode()), name="p.csv", kind="parties", by=admin)
    uploads.start(run, by=admin)
    with pytest.raises(Invalid) as caught:
        run_import(run, uploads.source_path(run))
    assert caught.value.errors[0].code == "import_already_started"
    assert ImportRun.objects.get(pk=run.pk).created == 1


def test_a_file_the_command_cannot_use_is_recorded_with_its_reasons(
    admin: User, tmp_path: Path
) -> None:
    path = tmp_path / "o.csv"
    path.write_text("external_id,total\nO1,5\n")
    with pytest.raises(CommandError, match="has no column for ordered_at"):
        call_command("import", "orders", str(path))
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    assert {e["code"] for e in run.error_detail["errors"]} == {"required_column_missing"}
    assert "has no column for ordered_at" in run.error


def test_the_result_page_says_why_an_import_failed(web_client: Web, manager: User) -> None:
    run = store_upload(io.BytesIO(PARTIES.encode()), name="p.csv", kind="parties", by=manager)
    run.created_by = None  # the user was deleted before the import ran
    run.save()
    uploads.execute(run)
    run.refresh_from_db()
    assert (run.status, run.error_detail["code"]) == (ImportStatus.FAILED, "import_user_gone")
    reader = make_user(role=Role.ADMIN, email="second.admin@example.com")
    page = web_client(reader).get(f"/imports/{run.pk}/").content.decode()
    assert str(runs.USER_GONE) in page
