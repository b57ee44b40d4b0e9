"""`clientela serve` runs the background worker beside the web server, and stops it with it.

A real server on a private SQLite database (the harness of benchmarks/concurrent_writes.py): a
task queued while it runs is done by the worker it started; when the server ends, by SIGTERM or
SIGKILL, the worker ends too; `--no-worker` starts none.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from clientela.core.management.commands.serve import Command as Serve
from clientela.core.workers import worker_argv
from tests.api.test_concurrent_writes import ROOT, _harness

pytestmark = pytest.mark.concurrency
QUEUE = (
    "from clientela.analytics.tasks import refresh_metrics_task; "
    "print(refresh_metrics_task.enqueue().id)"
)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _command_line(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
    except FileNotFoundError:
        return []


def _worker_of(server: subprocess.Popen[bytes]) -> int | None:
    """The server's child that runs `clientela worker`, once it has started."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for pid in _children(server.pid):
            if _command_line(pid)[-2:] == worker_argv()[-2:]:
                return pid
        time.sleep(0.2)
    return None


def _gone(pid: int, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = Path(f"/proc/{pid}/stat")
        if not state.exists() or state.read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return True
        time.sleep(0.2)
    return False


def _status(database: Path, task_id: str) -> str:
    with sqlite3.connect(database) as db:
        row = db.execute(
            f"SELECT status FROM {DBTaskResult._meta.db_table} WHERE id = ?",  # noqa: S608  (the model's table)
            [task_id.replace("-", "")],
        ).fetchone()
    return str(row[0]) if row else ""


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], Path]:
    """One migrated private database for the module's servers (they only queue a refresh)."""
    if connection.vendor != "sqlite":
        pytest.skip("one private SQLite database is enough to show the processes")
    home = tmp_path_factory.mktemp("served") / "home"
    env, _setup = _harness().prepare(home, 2, 1)
    return env, home


@pytest.fixture
def served(prepared: tuple[dict[str, str], Path]) -> tuple[dict[str, str], int]:
    return prepared[0], _harness().free_port()


def test_a_task_queued_while_serving_is_run_and_the_worker_stops_with_the_server(
    served: tuple[dict[str, str], int], prepared: tuple[dict[str, str], Path]
) -> None:
    env, port = served
    server = _harness().serve(env, port, 1, 1)
    try:
        worker = _worker_of(server)
        assert worker is not None, "serve started no worker"
        queued = subprocess.run(  # noqa: S603  (this Python, a fixed script)
            [sys.executable, "-c", f"import django; django.setup(); {QUEUE}"],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True,
        )  # fmt: skip
        task_id = queued.stdout.strip().splitlines()[-1]
        database = prepared[1] / "clientela.sqlite3"
        deadline = time.monotonic() + 60
        while _status(database, task_id) != "SUCCESSFUL" and time.monotonic() < deadline:
            time.sleep(0.3)
        assert _status(database, task_id) == "SUCCESSFUL"
    finally:
        server.terminate()
        server.wait(30)
    assert _gone(worker), "the worker outlived the server"


def test_the_worker_stops_even_when_the_server_is_killed(
    served: tuple[dict[str, str], int],
) -> None:
    env, port = served
    server = _harness().serve(env, port, 1, 1)
    try:
        worker = _worker_of(server)
        assert worker is not None
    finally:
        server.kill()
        server.wait(30)
    assert _gone(worker), "the worker outlived the killed server"


def test_no_worker_leaves_it_out(served: tuple[dict[str, str], int]) -> None:
    env, port = served
    server = _harness().serve({**env, "CLIENTELA_SERVE_WORKER": "0"}, port, 1, 1)
    try:
        time.sleep(2)
        assert not [p for p in _children(server.pid) if "worker" in _command_line(p)]
    finally:
        server.terminate()
        server.wait(30)


def test_serve_offers_no_worker() -> None:
    assert "--no-worker" in Serve().create_parser("clientela", "serve").format_help()
