"""A party import killed (SIGKILL) while it publishes leaves no party, and its run is marked
failed when the runs are next settled (issue 11, "what must be shown")."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from clientela.core.errors import message_id
from clientela.imports.services import runs
from tests.imports.test_commands import ROOT, Target, psycopg_connect

ROWS = 12_000


class PartyTarget(Target):
    """The killed import's database, asked about parties."""

    def count(self, table: str) -> int:
        sql = f"SELECT COUNT(*) FROM {table}"  # noqa: S608  (a constant table name)
        if self.postgres:
            with psycopg_connect(connection.settings_dict, self.name) as db:
                row = db.execute(sql).fetchone()
                return int(row[0]) if row else 0
        with sqlite3.connect(self.home / "clientela.sqlite3") as db:
            return int(db.execute(sql).fetchone()[0])

    def is_writing(self, table: str = "parties_party") -> bool:
        """Some parties are published (SQLite: committed slices), or being inserted (PostgreSQL:
        inside the import's one transaction)."""
        if self.postgres:
            return super().is_writing(table)
        try:
            return self.count("parties_party") > 0
        except sqlite3.OperationalError:  # busy, or not migrated yet
            return False


@pytest.mark.django_db
def test_a_party_import_killed_halfway_leaves_no_party_and_is_marked_failed(
    tmp_path: Path,
) -> None:
    target = PartyTarget(tmp_path / "home")
    # Short slices: many of them, so the kill lands between two.
    target.env["CLIENTELA_WRITE_SLICE_SECONDS"] = "0.01"
    try:
        python = [sys.executable, "-m", "django"]
        subprocess.run([*python, "migrate", "-v0"], env=target.env, check=True, cwd=ROOT)  # noqa: S603  (our own interpreter)
        setup = (
            "import django; django.setup()\n"
            "from clientela.accounts.models import User, Role\n"
            "User.objects.create_user('admin@example.com', 'a long password 42', role=Role.ADMIN)\n"
        )
        subprocess.run([sys.executable, "-c", setup], env=target.env, check=True, cwd=ROOT)  # noqa: S603  (our own interpreter)
        path = tmp_path / "parties.csv"
        with path.open("w") as out:
            out.write("external_id,name,email,phone,tags\n")
            out.writelines(
                f"P{n},Ana Silva {n},ana.{n}@example.com,+351 91{n:07d},customer\n"
                for n in range(ROWS)
            )
        process = subprocess.Popen(  # noqa: S603  (our own interpreter and file)
            [*python, "import", "parties", str(path)],
            env=target.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline and not target.is_writing():
            if process.poll() is not None:
                error = process.stderr.read().decode()[-2000:] if process.stderr else ""
                pytest.fail(f"the import ended before it could be killed: {error}")
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
        process.wait()
        if process.stderr:
            process.stderr.close()
        if not target.postgres:
            assert 0 < target.count("parties_party") < ROWS  # killed halfway
        # The next import (a dry run) first settles the runs: what was published goes.
        checked = subprocess.run(  # noqa: S603  (our own interpreter and file)
            [*python, "import", "parties", str(path), "--dry-run"],
            env=target.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert checked.returncode == 0, checked.stderr[-2000:]
        for table in ("parties_party", "parties_contactpoint", "parties_partychange"):
            assert target.count(table) == 0, table
        assert target.count("parties_party_tags") == 0
        assert target.count("imports_publishedslice") == 0
        assert target.statuses() == [("failed", message_id(runs.INTERRUPTED)), ("checked", "")]
    finally:
        target.drop()
