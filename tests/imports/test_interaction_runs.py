"""An interaction import's one life, whoever starts it: killed halfway it leaves nothing and is
marked failed; from the web app it runs the same code in the worker, with progress; on
PostgreSQL it is one transaction."""

from __future__ import annotations

import io
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from clientela.accounts.models import User
from clientela.core.errors import message_id
from clientela.imports.models import ImportStatus, PublishedSlice
from clientela.imports.services import importing, runs
from clientela.imports.services.uploads import read_progress, run_queued, store_upload
from clientela.interactions import bulk
from clientela.interactions.models import Interaction
from tests.factories import make_party
from tests.imports.conftest import Importer, Writer
from tests.imports.test_commands import ROOT, Target, psycopg_connect

HEADER = "external_id,customer_id,channel,direction,occurred_at,subject\n"


def _count(target: Target) -> int:
    sql = "SELECT COUNT(*) FROM interactions_interaction"
    if target.postgres:
        with psycopg_connect(connection.settings_dict, target.name) as db:
            row = db.execute(sql).fetchone()
            return int(row[0]) if row else 0
    with sqlite3.connect(target.home / "clientela.sqlite3") as db:
        return int(db.execute(sql).fetchone()[0])


@pytest.mark.django_db
def test_an_interaction_import_killed_halfway_leaves_nothing_and_is_marked_failed(
    tmp_path: Path,
) -> None:
    target = Target(tmp_path / "home")
    try:
        _kill(target, tmp_path)
    finally:
        target.drop()


def _kill(target: Target, tmp_path: Path) -> None:
    env = {**target.env, "CLIENTELA_WRITE_SLICE_SECONDS": "0.05"}
    python = [sys.executable, "-m", "django"]
    subprocess.run([*python, "migrate", "-v0"], env=env, check=True, cwd=ROOT)  # noqa: S603  (our own interpreter)
    setup = (
        "import django; django.setup()\n"
        "from clientela.accounts.models import User, Role\n"
        "from clientela.parties.models import Party\n"
        "User.objects.create_user('admin@example.com', 'a long password 42', role=Role.ADMIN)\n"
        "Party.objects.bulk_create(Party(kind='person', given_name='C', display_name='C',"
        " external_id=f'C{n}') for n in range(1000))\n"
    )
    subprocess.run([sys.executable, "-c", setup], env=env, check=True, cwd=ROOT)  # noqa: S603  (our own interpreter)
    rows = 400_000
    path = tmp_path / "interactions.csv"
    with path.open("w") as out:
        out.write(HEADER)
        out.writelines(
            f"I{n},C{n % 1000},email,inbound,2024-03-01T10:00:00Z,Hello\n" for n in range(rows)
        )
    process = subprocess.Popen(  # noqa: S603  (our own interpreter and file)
        [*python, "import", "interactions", str(path)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    # Kill it once it has written: on SQLite once slices are committed (others see them), on
    # PostgreSQL inside its one transaction.
    while time.monotonic() < deadline and not (
        target.is_writing("interactions_interaction") if target.postgres else _count(target) > 0
    ):
        if process.poll() is not None:
            error = process.stderr.read().decode()[-2000:] if process.stderr else ""
            pytest.fail(f"the import ended before it could be killed: {error}")
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    if process.stderr:
        process.stderr.close()
    # Reading the list of imports settles the killed one: what it wrote is taken back.
    settle = (
        "import django; django.setup()\n"
        "from clientela.imports.services import settle_interrupted\n"
        "print(settle_interrupted())\n"
    )
    settled = subprocess.run(  # noqa: S603  (our own interpreter)
        [sys.executable, "-c", settle], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert settled.stdout.strip() == "1", settled.stderr[-2000:]
    assert _count(target) == 0
    assert target.statuses() == [("failed", message_id(runs.INTERRUPTED))]


@pytest.mark.django_db(transaction=True)
def test_a_web_import_of_interactions_runs_in_the_worker_in_slices_with_progress(
    admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_party(external_id="C1")
    monkeypatch.setitem(importing.BATCH, "interactions", 100)
    body = HEADER + "".join(
        f"I{n},C1,email,inbound,2024-03-01T10:00:00Z,Hello\n" for n in range(1000)
    )
    run = store_upload(io.BytesIO(body.encode()), name="i.csv", kind="interactions", by=admin)
    run.status = ImportStatus.QUEUED  # as uploads.start leaves a large file, for the worker
    run.save(update_fields=["status"])
    seen: list[dict[str, Any]] = []
    real = importing._tally

    def watch(*args: Any) -> None:
        real(*args)
        seen.append(read_progress(run))

    monkeypatch.setattr(importing, "_tally", watch)
    done = run_queued(run.pk)
    assert done is not None
    done.refresh_from_db()
    assert (done.status, done.created) == (ImportStatus.DONE, 1000)
    assert Interaction.objects.count() == 1000
    assert 0 < seen[3]["rows"] < 1000  # progress written while it ran
    assert read_progress(run)["percent"] == 100
    assert not PublishedSlice.objects.exists()


@pytest.mark.django_db
def test_on_postgresql_an_import_is_one_transaction_with_no_journal(
    write: Writer, run_import: Importer, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite writes in slices (test_publishing.py)")
    make_party(external_id="C1")
    depths: list[bool] = []
    real = bulk.BulkInteractions.write

    def spy(self: bulk.BulkInteractions, *args: Any) -> Any:
        depths.append(connection.in_atomic_block)
        return real(self, *args)

    monkeypatch.setattr(bulk.BulkInteractions, "write", spy)
    monkeypatch.setitem(importing.BATCH, "interactions", 10)
    rows = [f"I{n},C1,email,inbound,2024-03-01T10:00:00Z,Hello\n" for n in range(100)]
    summary = run_import("interactions", write("ok.csv", HEADER + "".join(rows)))
    assert (summary.created, summary.slices_seconds) == (100, [])
    assert depths
    assert all(depths)
    rows[90] = "I90,C1,pigeon,inbound,,Coo\n"
    summary = run_import(
        "interactions", write("bad.csv", HEADER + "".join([*rows[50:], "X1,C1,email,inbound,,x\n"]))
    )
    assert summary.written is False
    assert not Interaction.objects.filter(external_id="X1").exists()
    assert Interaction.objects.count() == 100
    assert not PublishedSlice.objects.exists()
