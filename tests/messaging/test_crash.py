"""The outbox survives its worker: SIGKILLed at random points and restarted, nothing is lost
and a message is sent twice only if it was leased at a kill; two workers at once send each
recipient once; a worker stopped (SIGTERM) and started again sends nothing twice. Run against a
real local SMTP server, counting the Message-IDs it saw (issue 14, "what must be shown")."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from tests.imports.test_commands import ROOT, Target, psycopg_connect
from tests.messaging.conftest import free_port

MESSAGES = int(os.environ.get("CLIENTELA_CRASH_MESSAGES", "300"))
KILLS = int(os.environ.get("CLIENTELA_CRASH_KILLS", "4"))
LEASE = "2"

SETUP = """
import sys, django
django.setup()
from django.db import transaction
from clientela.messaging.models import SourceKind
from clientela.messaging.services import Content, enqueue_many
from clientela.parties.models import ContactKind, ContactPoint, Party
source, count = int(sys.argv[1]), int(sys.argv[2])
with transaction.atomic():
    parties = Party.objects.bulk_create(
        [Party(kind="person", given_name="Ana", family_name=f"S{source}-{n}",
               display_name=f"Ana S{source}-{n}") for n in range(count)], batch_size=1000)
    ContactPoint.objects.bulk_create(
        [ContactPoint(party=p, kind=ContactKind.EMAIL, value=f"p{source}-{n}@example.com",
                      normalized=f"p{source}-{n}@example.com", is_primary=True)
         for n, p in enumerate(parties)], batch_size=1000)
    enqueue_many([p.pk for p in parties], "email", "transactional", SourceKind.CAMPAIGN, source,
                 content=Content(subject="Hello", body_text="Your order is ready."))
"""


class Seen:
    """The SMTP server's side: each Message-ID it accepted, as often as it accepted it."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802  (aiosmtpd's hook name)
        for line in envelope.original_content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                with self.lock:
                    self.ids.append(line.split(b":", 1)[1].strip().decode())
                break
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.ids)


class Outbox(Target):
    """The worker's database (a SQLite file, or a PostgreSQL database of its own)."""

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.postgres:
            with psycopg_connect(connection.settings_dict, self.name) as db:
                return list(db.execute(sql).fetchall())
        with sqlite3.connect(self.home / "clientela.sqlite3", timeout=30) as db:
            return list(db.execute(sql).fetchall())

    def states(self, source: int) -> dict[str, int]:
        sql = (
            "SELECT state, COUNT(*) FROM messaging_message"  # noqa: S608  (an int of ours)
            f" WHERE source_id = {int(source)} GROUP BY state"
        )
        return {state: int(n) for state, n in self.rows(sql)}

    def tokens(self, source: int) -> set[str]:
        sql = f"SELECT token FROM messaging_message WHERE source_id = {int(source)}"  # noqa: S608  (an int of ours)
        return {t for (t,) in self.rows(sql)}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One migrated database and one SMTP server for the module (a migration takes long)."""
    seen = Seen()
    port = free_port()
    controller = Controller(seen, hostname="127.0.0.1", port=port)
    controller.start()
    target = Outbox(tmp_path_factory.mktemp("outbox") / "home")
    target.env.update(
        CLIENTELA_EMAIL_URL=f"smtp://127.0.0.1:{port}",
        CLIENTELA_FROM_EMAIL="shop@example.com",
        CLIENTELA_RETURN_PATH="bounces@example.com",
        CLIENTELA_OUTBOX_LEASE_SECONDS=LEASE,
    )
    subprocess.run(
        [sys.executable, "-m", "django", "migrate", "-v0"], env=target.env, check=True, cwd=ROOT
    )
    try:
        yield target, seen
    finally:
        controller.stop()
        target.drop()


def queue(target: Outbox, source: int, count: int) -> None:
    subprocess.run(  # noqa: S603  (our own interpreter)
        [sys.executable, "-c", SETUP, str(source), str(count)], env=target.env, check=True, cwd=ROOT
    )


def worker(target: Outbox, *, batch: bool = True) -> subprocess.Popen[bytes]:
    """A worker process; what it says on standard error goes to worker.log in its home."""
    argv = [sys.executable, "-m", "django", "worker", "--no-startup-delay", "-v0"]
    with (target.home / "worker.log").open("ab") as log:
        return subprocess.Popen(  # noqa: S603  (our own interpreter)
            [*argv, "--batch"] if batch else [*argv, "--interval", "0.2"],
            env=target.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


def log_tail(target: Outbox) -> str:
    return (target.home / "worker.log").read_text(errors="replace")[-3000:]


def wait_for(condition: Any, process: subprocess.Popen[bytes], seconds: float = 300) -> bool:
    """True once `condition()` holds; False if the process ended first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        if process.poll() is not None:
            return bool(condition())
        time.sleep(0.005)
    pytest.fail("the worker did not get there in time")


@pytest.fixture
def outbox(server: Any) -> Any:
    """The module's database and server, with the server's count started afresh."""
    target, seen = server
    with seen.lock:
        seen.ids.clear()
    return target, seen


def finish(target: Outbox, source: int) -> None:
    """Run batch workers until nothing waits (abandoned leases run out after LEASE seconds)."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        states = target.states(source)
        if not states.get("queued") and not states.get("leased"):
            return
        process = worker(target)
        assert process.wait(timeout=600) == 0, log_tail(target)
        time.sleep(0.5)
    pytest.fail(f"the outbox did not drain: {target.states(source)}")


@pytest.mark.django_db
def test_a_worker_killed_at_random_points_loses_nothing(outbox: Any) -> None:
    target, seen = outbox
    queue(target, 1, MESSAGES)
    marks = sorted(random.sample(range(1, MESSAGES), KILLS))
    in_flight = 0
    for mark in marks:
        process = worker(target)
        if not wait_for(lambda m=mark: seen.count() >= m, process):
            continue  # it drained first; the next round starts again from the leftovers
        process.send_signal(signal.SIGKILL)
        process.wait()
        in_flight += target.states(1).get("leased", 0)
    finish(target, 1)
    counts = Counter(seen.ids)
    duplicates = sum(n - 1 for n in counts.values())
    assert target.states(1) == {"sent": MESSAGES}
    expected = {f"<{token}@example.com>" for token in target.tokens(1)}
    assert set(counts) == expected  # 0 lost
    assert duplicates <= in_flight, (duplicates, in_flight)


@pytest.mark.django_db
def test_two_workers_at_once_send_each_recipient_once(outbox: Any) -> None:
    target, seen = outbox
    queue(target, 2, MESSAGES)
    first, second = worker(target), worker(target)
    for process in (first, second):
        assert process.wait(timeout=600) == 0, log_tail(target)
    finish(target, 2)
    assert target.states(2) == {"sent": MESSAGES}
    assert len(seen.ids) == len(set(seen.ids)) == MESSAGES


@pytest.mark.django_db
def test_a_worker_stopped_and_started_again_sends_nothing_twice(outbox: Any) -> None:
    target, seen = outbox
    queue(target, 3, MESSAGES)
    process = worker(target, batch=False)
    assert wait_for(lambda: seen.count() >= MESSAGES // 3, process)
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    assert target.states(3).get("leased", 0) == 0  # its claim was given back
    finish(target, 3)
    assert target.states(3) == {"sent": MESSAGES}
    assert len(seen.ids) == len(set(seen.ids)) == MESSAGES
