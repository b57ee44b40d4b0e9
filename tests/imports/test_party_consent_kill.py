"""A parties import with consent columns killed (SIGKILL) leaves nothing half-written: killed
while its parties are published, nothing of the file stays; killed once it is final (its
withdrawals being recorded), the settling records the rest. No consent record is ever deleted
(issue 20; imports/services/consent_stage.py). The pattern of test_party_kill.py."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from clientela.core.errors import message_id
from clientela.imports.services import runs
from tests.imports.test_commands import ROOT
from tests.imports.test_party_kill import PartyTarget

ROWS = 4_000  # 20,000 withdrawals: four chunks, so the kill lands between two
# Killed while publishing: as many parties as test_party_kill.py, so that the kill lands while
# slices are still being published even when a loaded machine is slow to notice the first one.
PUBLISHING_ROWS = 12_000
CHANNELS = 5  # a newsletter "no": one record per contact channel
PYTHON = [sys.executable, "-m", "django"]


def _prepare(target: PartyTarget, tmp_path: Path, rows: int = ROWS) -> Path:
    subprocess.run([*PYTHON, "migrate", "-v0"], env=target.env, check=True, cwd=ROOT)  # noqa: S603  (our own interpreter)
    setup = (
        "import django; django.setup()\n"
        "from clientela.accounts.models import User, Role\n"
        "User.objects.create_user('admin@example.com', 'a long password 42', role=Role.ADMIN)\n"
    )
    subprocess.run([sys.executable, "-c", setup], env=target.env, check=True, cwd=ROOT)  # noqa: S603  (our own interpreter)
    path = tmp_path / "parties.csv"
    with path.open("w") as out:
        out.write("external_id,name,email,phone,Newsletter\n")
        out.writelines(
            f"P{n},Ana Silva {n},ana.{n}@example.com,+351 91{n:07d},no\n" for n in range(rows)
        )
    return path


def _kill_when(target: PartyTarget, path: Path, ready: Callable[[], bool]) -> None:
    process = subprocess.Popen(  # noqa: S603  (our own interpreter and file)
        [*PYTHON, "import", "parties", str(path)],
        env=target.env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline and not ready():
        if process.poll() is not None:
            error = process.stderr.read().decode()[-2000:] if process.stderr else ""
            pytest.fail(f"the import ended before it could be killed: {error}")
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    if process.stderr:
        process.stderr.close()


def _settle(target: PartyTarget, path: Path) -> None:
    """The next import (a dry run) first settles the runs."""
    checked = subprocess.run(  # noqa: S603  (our own interpreter and file)
        [*PYTHON, "import", "parties", str(path), "--dry-run"],
        env=target.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr[-2000:]


def _count(target: PartyTarget, table: str) -> int:
    try:
        return target.count(table)
    except sqlite3.OperationalError:  # busy, or not migrated yet
        return 0


@pytest.mark.django_db
def test_killed_while_its_parties_are_published_it_leaves_no_party_and_no_consent(
    tmp_path: Path,
) -> None:
    target = PartyTarget(tmp_path / "home")
    target.env["CLIENTELA_WRITE_SLICE_SECONDS"] = "0.01"  # many slices: the kill lands between
    try:
        path = _prepare(target, tmp_path, PUBLISHING_ROWS)
        _kill_when(target, path, target.is_writing)
        if not target.postgres:
            assert 0 < target.count("parties_party") < PUBLISHING_ROWS  # killed halfway
            assert target.count("consent_consentrecord") == 0
        _settle(target, path)
        for table in ("parties_party", "parties_contactpoint", "consent_consentrecord"):
            assert target.count(table) == 0, table
        assert target.count("imports_publishedslice") == 0
        assert target.statuses() == [("failed", message_id(runs.INTERRUPTED)), ("checked", "")]
    finally:
        target.drop()


@pytest.mark.django_db
def test_killed_while_its_withdrawals_are_recorded_the_settling_records_the_rest(
    tmp_path: Path,
) -> None:
    target = PartyTarget(tmp_path / "home")
    try:
        path = _prepare(target, tmp_path)
        if target.postgres:  # one transaction: killed while it inserts the records
            _kill_when(target, path, lambda: target.is_writing("consent_consentrecord"))
        else:
            _kill_when(target, path, lambda: _count(target, "consent_consentrecord") > 0)
            recorded = target.count("consent_consentrecord")
            assert 0 < recorded < ROWS * CHANNELS  # killed between two chunks
            assert target.count("parties_party") == ROWS  # final: every party is in
        _settle(target, path)
        expected = 0 if target.postgres else ROWS
        assert target.count("parties_party") == expected
        assert target.count("consent_consentrecord") == expected * CHANNELS
        assert target.count("imports_publishedslice") == 0
        assert target.statuses() == [("failed", message_id(runs.INTERRUPTED)), ("checked", "")]
    finally:
        target.drop()
