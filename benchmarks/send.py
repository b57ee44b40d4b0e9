"""Sending benchmark: messages delivered to a local SMTP server through `clientela worker --batch`.

Makes a fresh database (SQLite, or PostgreSQL when CLIENTELA_DATABASE_URL names a server),
queues one marketing e-mail to each of N customers (soft opt-in: existing customers, so the
gate reads consent, preferences and the contact log as in a real campaign) with one set-based
`enqueue_many`, then runs `clientela worker --batch` against a real SMTP server (aiosmtpd, in
this process) and prints one JSON document: seconds to queue, seconds to drain (the whole
worker process, and first to last message the server accepted), messages per second, and
what the server saw (Message-IDs, duplicates). The goal is ≥ 300 messages/s on both engines.

    .venv/bin/python benchmarks/send.py                     # quick: 3,000 messages
    .venv/bin/python benchmarks/send.py --messages 20000 --workers 2
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

from aiosmtpd.controller import Controller

from _bench import ROOT, database_label, fresh_postgres_database, postgres_url

QUEUE = """
import sys, time, django
django.setup()
from django.db import transaction
from clientela.messaging.models import SourceKind
from clientela.messaging.services import Content, enqueue_many
from clientela.parties.models import ContactKind, ContactPoint, Party, PartyRole
count = int(sys.argv[1])
with transaction.atomic():
    parties = Party.objects.bulk_create(
        [Party(kind="person", given_name="Ana", family_name=f"Silva {n}",
               display_name=f"Ana Silva {n}") for n in range(count)], batch_size=1000)
    ContactPoint.objects.bulk_create(
        [ContactPoint(party=p, kind=ContactKind.EMAIL, value=f"ana.{n}@example.com",
                      normalized=f"ana.{n}@example.com", is_primary=True)
         for n, p in enumerate(parties)], batch_size=1000)
    PartyRole.objects.bulk_create([PartyRole(party=p, role="customer") for p in parties],
                                  batch_size=1000)
started = time.perf_counter()
with transaction.atomic():
    enqueue_many([p.pk for p in parties], "email", "marketing", SourceKind.CAMPAIGN, 1,
                 content=Content(subject="New shoes", body_text="Hello Ana, new shoes are in."))
print(time.perf_counter() - started)
"""


class Counting:
    """The SMTP server's side: when each message came, and its Message-ID."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.first = 0.0
        self.last = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802  (aiosmtpd's hook name)
        now = time.perf_counter()
        found = ""
        for line in envelope.original_content.split(b"\r\n"):
            if line.lower().startswith(b"message-id:"):
                found = line.split(b":", 1)[1].strip().decode()
                break
        with self.lock:
            self.first = self.first or now
            self.last = now
            self.ids.append(found)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()

    counting = Counting()
    port = free_port()
    controller = Controller(counting, hostname="127.0.0.1", port=port)
    controller.start()
    with tempfile.TemporaryDirectory() as home:
        env = {
            **os.environ,
            "CLIENTELA_HOME": home,
            "DJANGO_SETTINGS_MODULE": "clientela.settings",
            "CLIENTELA_EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "CLIENTELA_FROM_EMAIL": "Shop <shop@example.com>",
        }
        url = postgres_url()
        if url:
            env["CLIENTELA_DATABASE_URL"] = fresh_postgres_database(url, "send")
        else:
            env.pop("CLIENTELA_DATABASE_URL", None)
        python = [sys.executable, "-m", "django"]
        subprocess.run([*python, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
        print(f"queueing {args.messages} messages", file=sys.stderr, flush=True)
        queued = subprocess.run(
            [sys.executable, "-c", QUEUE, str(args.messages)],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        queue_seconds = float(queued.stdout.strip().splitlines()[-1])
        print("sending", file=sys.stderr, flush=True)
        started = time.perf_counter()
        workers = [
            subprocess.Popen(
                [*python, "worker", "--batch", "--no-startup-delay", "-v0"], env=env, cwd=ROOT
            )
            for _ in range(args.workers)
        ]
        codes = [w.wait() for w in workers]
        drain_seconds = time.perf_counter() - started
    controller.stop()
    sent = len(counting.ids)
    span = max(counting.last - counting.first, 1e-9)
    print(
        json.dumps(
            {
                "database": database_label(),
                "messages": args.messages,
                "workers": args.workers,
                "worker_exit": codes,
                "queue_seconds": round(queue_seconds, 3),
                "queued_per_second": round(args.messages / queue_seconds),
                "drain_seconds": round(drain_seconds, 2),
                "received": sent,
                "duplicates": sent - len(set(counting.ids)),
                "per_second_whole_run": round(sent / drain_seconds, 1),
                "per_second_while_sending": round(sent / span, 1),
                "load_average": [round(x, 2) for x in os.getloadavg()],
            }
        )
    )


if __name__ == "__main__":
    main()
