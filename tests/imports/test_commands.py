"""The import and export commands: arguments, exit codes, output; and a killed import."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from clientela.accounts.models import Right, Role, User
from clientela.core.errors import message_id
from clientela.imports.models import ImportRun, ImportStatus
from clientela.imports.services import runs
from tests.conftest import Grant
from tests.factories import make_party

ROOT = Path(__file__).resolve().parents[2]
HEADER = "external_id,customer_id,ordered_at,total,currency\n"


@pytest.mark.django_db
def test_a_clean_import_exits_0_and_prints_the_summary(
    admin: User, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_party(external_id="C1")
    path = tmp_path / "o.csv"
    path.write_text(HEADER + "O1,C1,2024-03-01T10:00:00Z,5,EUR\n")
    call_command("import", "orders", str(path))
    assert "1 rows: 1 created, 0 updated, 0 unchanged, 0 rejected" in capsys.readouterr().out
    run = ImportRun.objects.get()
    assert (run.status, run.created, run.created_by) == (ImportStatus.DONE, 1, admin)


@pytest.mark.django_db
def test_invalid_rows_exit_1_with_each_problem_on_stderr(
    admin: User, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_party(external_id="C1")
    path = tmp_path / "o.csv"
    path.write_text(HEADER + "O1,C1,2024-03-01T10:00:00Z,abc,EUR\n")
    with pytest.raises(SystemExit) as caught:
        call_command("import", "orders", str(path))
    assert caught.value.code == 1
    captured = capsys.readouterr()
    assert "row 2, column 'total', value 'abc'" in captured.err
    assert "nothing was written" in captured.out
    assert ImportRun.objects.get().status == ImportStatus.INVALID


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["orders", "missing.csv"], "no such file"),
        (["orders", "{file}", "--skip-invalid"], "needs --rejects"),
        (["orders", "{file}", "--map", "nope=total"], "is not a column of the file"),
        (["orders", "{file}", "--as", "nobody@example.com"], "no active user"),
        (["orders", "{empty}"], "is empty"),
    ],
)
def test_usage_and_file_errors_exit_2(
    admin: User, tmp_path: Path, args: list[str], message: str
) -> None:
    (tmp_path / "o.csv").write_text(HEADER)
    (tmp_path / "e.csv").write_text("")
    argv = [a.format(file=tmp_path / "o.csv", empty=tmp_path / "e.csv") for a in args]
    with pytest.raises(CommandError) as caught:
        call_command("import", *argv)
    assert caught.value.returncode == 2
    assert message in str(caught.value)


@pytest.mark.django_db
def test_export_writes_a_file_as_the_given_user(
    admin: User, sales_a: User, tmp_path: Path, grant: Grant
) -> None:
    grant(Role.SALES, Right.EXPORT)  # to show the export holds only what sales_a may see
    make_party(given_name="Mine", team=sales_a.team)
    make_party(given_name="Other")
    out = tmp_path / "p.ndjson"
    call_command("export", "parties", "--out", str(out), "--as", sales_a.email)
    lines = out.read_text().splitlines()
    assert len(lines) == 1
    assert '"given_name": "Mine"' in lines[0]


class Target:
    """The database the killed import runs against: a SQLite file, or a fresh PostgreSQL
    database beside the one under test (the test's own database lives in a transaction)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.env = {**os.environ, "CLIENTELA_HOME": str(home)}
        self.env["DJANGO_SETTINGS_MODULE"] = "clientela.settings"
        self.postgres = connection.vendor == "postgresql"
        if self.postgres:
            params = connection.settings_dict
            self.name = f"clientela_kill_{os.getpid()}"
            self.server = psycopg_connect(params, "postgres")
            self.server.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            self.server.execute(f'CREATE DATABASE "{self.name}"')
            auth = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
            self.env["CLIENTELA_DATABASE_URL"] = (
                f"postgresql://{auth}@{params['HOST']}:{params['PORT'] or 5432}/{self.name}"
            )
        else:
            self.env.pop("CLIENTELA_DATABASE_URL", None)

    def count_orders(self) -> int:
        if self.postgres:
            with psycopg_connect(connection.settings_dict, self.name) as db:
                row = db.execute("SELECT COUNT(*) FROM commerce_order").fetchone()
                return int(row[0]) if row else 0
        with sqlite3.connect(self.home / "clientela.sqlite3") as db:
            return int(db.execute("SELECT COUNT(*) FROM commerce_order").fetchone()[0])

    def statuses(self) -> list[tuple[str, str]]:
        """Each import's status and error, oldest first."""
        sql = "SELECT status, error FROM imports_importrun ORDER BY id"
        if self.postgres:
            with psycopg_connect(connection.settings_dict, self.name) as db:
                return [(s, e) for s, e in db.execute(sql).fetchall()]
        with sqlite3.connect(self.home / "clientela.sqlite3") as db:
            return [(s, e) for s, e in db.execute(sql).fetchall()]

    def is_writing(self, table: str = "commerce_order") -> bool:
        """The import has begun writing to `table` and not committed: on PostgreSQL another
        session holds the row-exclusive lock an INSERT takes until its transaction ends (what
        it runs at this moment may be a read); on SQLite the WAL has grown."""
        if self.postgres:
            with psycopg_connect(connection.settings_dict, self.name) as db:
                row = db.execute(
                    "SELECT COUNT(*) FROM pg_locks JOIN pg_class ON pg_class.oid = relation "
                    "WHERE relname = %s AND mode = 'RowExclusiveLock' "
                    "AND pid <> pg_backend_pid()",
                    [table],
                ).fetchone()
            return bool(row and row[0])
        wal = self.home / "clientela.sqlite3-wal"
        return wal.exists() and wal.stat().st_size > 1_000_000

    def drop(self) -> None:
        if self.postgres:
            self.server.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            self.server.close()


def psycopg_connect(params: dict[str, Any], name: str) -> Any:
    import psycopg

    return psycopg.connect(
        dbname=name,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        autocommit=True,
    )


@pytest.mark.django_db
def test_an_import_killed_halfway_leaves_nothing_and_can_be_run_again(tmp_path: Path) -> None:
    target = Target(tmp_path / "home")
    try:
        _kill_and_rerun(target, tmp_path)
    finally:
        target.drop()


def _kill_and_rerun(target: Target, tmp_path: Path) -> None:
    env = target.env
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
    path = tmp_path / "orders.csv"
    with path.open("w") as out:
        out.write(HEADER)
        out.writelines(f"O{n},C{n % 1000},2024-03-01T10:00:00Z,5,EUR\n" for n in range(rows))
    process = subprocess.Popen(  # noqa: S603  (our own interpreter and file)
        [*python, "import", "orders", str(path)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    # Kill it once it has begun writing orders, before it is done: on SQLite while its checked
    # rows are published a slice at a time, on PostgreSQL inside its one transaction.
    while time.monotonic() < deadline and not target.is_writing():
        if process.poll() is not None:
            error = process.stderr.read().decode()[-2000:] if process.stderr else ""
            pytest.fail(f"the import ended before it could be killed: {error}")
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    if process.stderr:
        process.stderr.close()
    # The next import (a dry run here) first takes back what the killed one had published.
    checked = subprocess.run(  # noqa: S603  (our own interpreter and file)
        [*python, "import", "orders", str(path), "--dry-run"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr[-2000:]
    assert target.count_orders() == 0
    again = subprocess.run(  # noqa: S603  (our own interpreter and file)
        [*python, "import", "orders", str(path)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert again.returncode == 0, again.stderr[-2000:]
    assert target.count_orders() == rows
    # The killed import's record no longer says "running": its process is gone.
    assert target.statuses() == [
        ("failed", message_id(runs.INTERRUPTED)),
        ("checked", ""),
        ("done", ""),
    ]


@pytest.mark.django_db
def test_another_feature_can_add_an_export(
    admin: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clientela.core import registries

    def write(user: User, stream: Any, options: dict[str, Any]) -> int:
        stream.write(f"{user.email},{options['horizon_days']}\n")
        return 1

    def add_arguments(parser: Any) -> None:
        parser.add_argument("--horizon-days", type=int, default=365)

    monkeypatch.setitem(
        registries.EXTRA_EXPORTS, "metrics", registries.ExtraExport(write, add_arguments)
    )
    out = tmp_path / "m.csv"
    call_command("export", "metrics", "--horizon-days", "90", "--out", str(out))
    assert out.read_text() == "admin@example.com,90\n"


@pytest.mark.django_db
def test_a_duplicate_row_from_the_command_names_its_upsert_option(
    admin: User, tmp_path: Path
) -> None:
    make_party(email="ana@example.com")
    path = tmp_path / "p.csv"
    path.write_text("given_name,email\nAna,ana@example.com\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("import", "parties", str(path), "--as", admin.email,
                     stdout=StringIO(), stderr=err)  # fmt: skip
    assert "is a duplicate of party #" in err.getvalue()
    assert "; use --upsert to update it" in err.getvalue()
