"""Writers never starve each other: API clients writing and reading while a large import runs.

On a private SQLite database (its own CLIENTELA_HOME), served by `clientela serve` (gunicorn),
it starts `clientela import orders FILE` (--rows rows for --customers customers) and, for the
whole time the import runs, --clients API clients, each in its own thread, in a loop:

  POST /api/v1/orders                 one new order with a line (a write)
  GET  /api/v1/orders?party_id=…      the orders of a party (a read; the token check may write)
  POST /api/v1/orders/bulk            five new orders as NDJSON (a write), every fourth turn
  GET  /api/v1/parties/{id}           a party (a read)

It prints one JSON document: each kind's count of answers by status, latency p50/p90/p99/max,
the 5xx count, the writes' p99 against the goal (2 s), the import's seconds, and whether every
acknowledged write (201, or 200 for the bulk) is in the database afterwards.

    .venv/bin/python benchmarks/concurrent_writes.py                # quick: 100,000 rows, 4 clients
    .venv/bin/python benchmarks/concurrent_writes.py --rows 1000000 --clients 8   # the big one
    .venv/bin/python benchmarks/concurrent_writes.py --kind parties --rows 200000
        # a parties file with consent columns (withdrawals recorded with their proof)

SQLite only: the turns writers take are SQLite's (PostgreSQL has row locks).

tests/core/test_concurrent_writes.py runs a small version of it in the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL_WRITE_P99_SECONDS = 2.0
ADMIN = "concurrency-admin@example.com"
CLIENT_PARTIES = 50  # the parties each client writes orders for
TIMEOUT = 60  # seconds a client waits for one answer (more is counted as a failure)

SETUP = """
import json, django
django.setup()
from django.db import transaction
from clientela.accounts.models import Role, User
from clientela.accounts.services import create_token
from clientela.parties.models import Party
customers, clients = {customers}, {clients}
admin = User.objects.create_user({admin!r}, "a long password 1234", role=Role.ADMIN)
with transaction.atomic():
    Party.objects.bulk_create(
        (Party(kind="person", given_name="Customer", family_name=str(n),
               display_name=f"Customer {{n}}", external_id=f"C{{n:07d}}")
         for n in range(customers)),
        batch_size=5000,
    )
tokens = []
for n in range(clients):
    user = User.objects.create_user(
        f"client{{n}}@example.com", "a long password 1234", role=Role.MANAGER
    )
    tokens.append(create_token(user, name="concurrency")[1])
parties = list(Party.objects.order_by("id").values_list("id", flat=True)[: {parties}])
print(json.dumps({{"tokens": tokens, "parties": parties}}))
"""


def generate_interactions(path: Path, rows: int, customers: int, seed: int = 13) -> None:
    """An interactions file like benchmarks/import_interactions.py's."""
    rng = random.Random(seed)
    start = datetime(2022, 1, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("external_id,customer_id,channel,direction,occurred_at,subject\n")
        lines = []
        for n in range(rows):
            at = start + timedelta(seconds=rng.randrange(3 * 365 * 24 * 3600))
            lines.append(
                f"INT-{n:08d},C{rng.randrange(customers):07d},email,inbound,"
                f"{at:%Y-%m-%dT%H:%M:%S}Z,Asked about delivery\n"
            )
            if len(lines) == 50_000:
                out.writelines(lines)
                lines.clear()
        out.writelines(lines)


def generate_parties(path: Path, rows: int, _customers: int, seed: int = 17) -> None:
    """A parties file with consent columns: new people with an e-mail and a phone each; a
    newsletter "no" on every other row (five records each, one per channel), a "yes" (noted,
    not imported) on every fifth, and an objection to all direct marketing on every tenth."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("external_id,given_name,family_name,email,phone,Newsletter,Opted out\n")
        lines = []
        for n in range(rows):
            newsletter = "no" if n % 2 else "yes" if n % 5 == 0 else ""
            lines.append(
                f"P-{n:08d},Ana,Silva {rng.randrange(10_000)},ana.{n}@example.com,"
                f"+35191{n:07d},{newsletter},{'yes' if n % 10 == 3 else ''}\n"
            )
            if len(lines) == 50_000:
                out.writelines(lines)
                lines.clear()
        out.writelines(lines)


GENERATORS = {"interactions": generate_interactions, "parties": generate_parties}


def generate(path: Path, rows: int, customers: int, seed: int = 11) -> None:
    """An orders file like benchmarks/import_orders.py's."""
    rng = random.Random(seed)
    start = datetime(2022, 1, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("external_id,customer_id,ordered_at,total,currency,status,channel\n")
        lines = []
        for n in range(rows):
            at = start + timedelta(seconds=rng.randrange(3 * 365 * 24 * 3600))
            lines.append(
                f"ORD-{n:08d},C{rng.randrange(customers):07d},{at:%Y-%m-%dT%H:%M:%S}Z,"
                f"{rng.randrange(500, 50_000) / 100:.2f},EUR,completed,web\n"
            )
            if len(lines) == 50_000:
                out.writelines(lines)
                lines.clear()
        out.writelines(lines)


def environment(home: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "CLIENTELA_HOME": str(home),
        "DJANGO_SETTINGS_MODULE": "clientela.settings",
    }
    env.pop("CLIENTELA_DATABASE_URL", None)  # SQLite: the database that takes turns
    env.setdefault("PYTHONPATH", str(ROOT / "src"))
    return env


def prepare(home: Path, customers: int, clients: int) -> tuple[dict[str, str], dict[str, Any]]:
    """A migrated database with an admin, the customers and a token per client."""
    env = environment(home)
    python = [sys.executable, "-m", "django"]
    subprocess.run([*python, "migrate", "-v0"], env=env, check=True, cwd=ROOT)
    script = SETUP.format(customers=customers, clients=clients, admin=ADMIN, parties=CLIENT_PARTIES)
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, cwd=ROOT, capture_output=True
    )
    return env, json.loads(out.stdout.decode().strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def serve(env: dict[str, str], port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    """`clientela serve` on 127.0.0.1:port, once it answers."""
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "django", "serve", "--host", "127.0.0.1", "--port", str(port)),
            *("--workers", str(workers), "--threads", str(threads), "--no-access-log"),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("the server stopped before it answered") from None
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not answer within 60 s")


@dataclass
class Client:
    """One API client: its answers (kind, status, seconds) and the orders acknowledged."""

    number: int
    token: str
    parties: list[int]
    port: int
    answers: list[tuple[str, int, float]] = field(default_factory=list)
    slow: list[tuple[str, int, float, float]] = field(default_factory=list)  # + when it began
    acknowledged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    turns: int = 0
    measuring: threading.Event = field(default_factory=threading.Event)

    def run(self, stop: threading.Event) -> None:
        rng = random.Random(self.number)
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        turn = 0
        while not stop.is_set():
            turn += 1
            party = rng.choice(self.parties)
            self.write_one(connection, party, turn)
            self.call(connection, "read_orders", "GET", f"/api/v1/orders?party_id={party}&limit=5")
            if turn % 4 == 0:
                self.write_bulk(connection, party, turn)
            self.call(connection, "read_party", "GET", f"/api/v1/parties/{party}")
            self.turns = turn
        connection.close()

    def write_one(self, connection: http.client.HTTPConnection, party: int, turn: int) -> None:
        external_id = f"CW-{self.number}-{turn}"
        body = {
            "external_id": external_id,
            "party_id": party,
            "ordered_at": "2024-05-01T10:00:00Z",
            "total": "19.90",
            "currency": "EUR",
            "channel": "web",
            "lines": [{"product": "Green tea", "quantity": "1", "unit_price": "19.90"}],
        }
        status = self.call(connection, "write_order", "POST", "/api/v1/orders", json.dumps(body))
        if status == 201:
            self.acknowledged.append(external_id)

    def write_bulk(self, connection: http.client.HTTPConnection, party: int, turn: int) -> None:
        ids = [f"CWB-{self.number}-{turn}-{n}" for n in range(5)]
        lines = "".join(
            json.dumps(
                {
                    "external_id": ext,
                    "party_id": party,
                    "ordered_at": "2024-05-02T10:00:00Z",
                    "total": "5.00",
                    "currency": "EUR",
                }
            )
            + "\n"
            for ext in ids
        )
        status = self.call(
            connection,
            "write_bulk",
            "POST",
            "/api/v1/orders/bulk",
            lines,
            content_type="application/x-ndjson",
        )
        if status == 200:
            self.acknowledged.extend(ids)

    def call(
        self,
        connection: http.client.HTTPConnection,
        kind: str,
        method: str,
        path: str,
        body: str | None = None,
        content_type: str = "application/json",
    ) -> int:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": content_type}
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            status, content = 599, str(exc).encode()  # no answer at all: counted as a failure
            connection.close()
        seconds = time.perf_counter() - started
        if not self.measuring.is_set():  # warming up: the server's first answers are slow
            return status
        self.answers.append((kind, status, seconds))
        if seconds > 1:
            self.slow.append((kind, status, round(seconds, 2), round(started, 2)))
        if status >= 500 and len(self.errors) < 5:
            self.errors.append(f"{kind} {status}: {content[:300].decode(errors='replace')}")
        return status


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary(answers: list[tuple[str, int, float]]) -> dict[str, Any]:
    kinds: dict[str, Any] = {}
    for kind in sorted({a[0] for a in answers}):
        times = [s for k, _st, s in answers if k == kind]
        statuses: dict[str, int] = {}
        for k, status, _s in answers:
            if k == kind:
                statuses[str(status)] = statuses.get(str(status), 0) + 1
        kinds[kind] = {
            "requests": len(times),
            "statuses": statuses,
            "p50_s": round(percentile(times, 0.50), 3),
            "p90_s": round(percentile(times, 0.90), 3),
            "p99_s": round(percentile(times, 0.99), 3),
            "max_s": round(max(times, default=0.0), 3),
        }
    return kinds


def run(
    *,
    rows: int,
    clients: int,
    customers: int,
    workers: int = 2,
    threads: int = 4,
    home: Path | None = None,
    kind: str = "orders",
) -> dict[str, Any]:
    """Run the whole measurement in a temporary folder; returns the report. `kind`: what the
    import brings, orders, interactions or parties (with consent columns)."""
    work = Path(tempfile.mkdtemp(prefix="concurrent-writes-")) if home is None else home
    server = None
    try:
        csv_path = work / f"{kind}.csv"
        GENERATORS.get(kind, generate)(csv_path, rows, customers)
        env, setup = prepare(work / "home", customers, clients)
        port = free_port()
        server = serve(env, port, workers, threads)
        stop = threading.Event()
        parties: list[int] = setup["parties"]
        crowd = [Client(n, token, parties, port) for n, token in enumerate(setup["tokens"])]
        threads_ = [threading.Thread(target=c.run, args=(stop,), daemon=True) for c in crowd]
        for thread in threads_:
            thread.start()
        # Warm up (each server thread's first answers load code and open its connection),
        # then measure from just before the import starts to its end.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and min(c.turns for c in crowd) < 4:
            time.sleep(0.1)
        for client in crowd:
            client.measuring.set()
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "django", "import", kind, str(csv_path), "--as", ADMIN],
            env={**env, "CLIENTELA_LOG_LEVEL": "INFO"},  # each slice's seconds
            cwd=ROOT,
            capture_output=True,
            check=False,
        )
        import_seconds = time.perf_counter() - started
        stop.set()
        for thread in threads_:
            thread.join(TIMEOUT + 5)
        answers = [a for c in crowd for a in c.answers]
        acknowledged = [ext for c in crowd for ext in c.acknowledged]
        present, imported, status = stored(work / "home", acknowledged, kind)
        writes = [s for k, _st, s in answers if k.startswith("write")]
        five_xx = sum(1 for _k, st, _s in answers if st >= 500)
        write_p99 = percentile(writes, 0.99)
        return {
            "benchmark": "concurrent_writes",
            "machine": {"cpus": os.cpu_count(), "load_average": round(os.getloadavg()[0], 1)},
            "rows": rows,
            "kind": kind,
            "clients": clients,
            "server": f"clientela serve --workers {workers} --threads {threads}",
            "import": {
                "exit_code": done.returncode,
                "seconds": round(import_seconds, 2),
                "rows_per_s": round(rows / import_seconds),
                "imported": imported,
                "consent_records": consent_records(work / "home") if kind == "parties" else None,
                "status": status,
                "slices_seconds": slices_seconds(done.stderr.decode(errors="replace")),
                "stderr": done.stderr.decode(errors="replace")[-1000:] if done.returncode else "",
            },
            "requests": len(answers),
            "by_kind": summary(answers),
            "five_xx": five_xx,
            "errors": [e for c in crowd for e in c.errors][:10],
            "writes": {
                "requests": len(writes),
                "p99_s": round(write_p99, 3),
                "max_s": round(max(writes, default=0.0), 3),
                "goal_p99_s": GOAL_WRITE_P99_SECONDS,
            },
            "slowest": sorted(
                ((k, st, s, round(at - started, 2)) for c in crowd for k, st, s, at in c.slow),
                key=lambda a: -a[2],
            )[:10],
            "acknowledged": len(acknowledged),
            "acknowledged_present": present,
            "meets_goal": (
                five_xx == 0
                and write_p99 <= GOAL_WRITE_P99_SECONDS
                and present == len(acknowledged)
                and imported == rows
                and done.returncode == 0
            ),
        }
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if home is None:
            shutil.rmtree(work, ignore_errors=True)


def slices_seconds(log: str) -> list[float]:
    """How long each slice of the import held the write lock, from the import's log."""
    return [
        float(line.rsplit(": ", 1)[1].split(" s")[0])
        for line in log.splitlines()
        if ("held the write lock" in line or "s with the write lock" in line) and ": " in line
    ]


def consent_records(home: Path) -> int:
    """How many consent records the database holds (a parties import's withdrawals)."""
    with sqlite3.connect(home / "clientela.sqlite3") as db:
        return int(db.execute("SELECT COUNT(*) FROM consent_consentrecord").fetchone()[0])


def stored(home: Path, acknowledged: list[str], kind: str = "orders") -> tuple[int, int, str]:
    """How many acknowledged orders are stored, how many rows imported, and the import's
    status."""
    with sqlite3.connect(home / "clientela.sqlite3") as db:
        db.execute("CREATE TEMP TABLE acknowledged (external_id TEXT PRIMARY KEY)")
        db.executemany("INSERT INTO acknowledged VALUES (?)", [(e,) for e in acknowledged])
        present = db.execute(
            "SELECT COUNT(*) FROM acknowledged a JOIN commerce_order o USING (external_id)"
        ).fetchone()[0]
        imported = db.execute(
            {
                "interactions": "SELECT COUNT(*) FROM interactions_interaction "
                "WHERE external_id LIKE 'INT-%'",
                "parties": "SELECT COUNT(*) FROM parties_party WHERE external_id LIKE 'P-%'",
            }.get(kind, "SELECT COUNT(*) FROM commerce_order WHERE external_id LIKE 'ORD-%'")
        ).fetchone()[0]
        row = db.execute("SELECT status FROM imports_importrun ORDER BY id DESC").fetchone()
    return int(present), int(imported), row[0] if row else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--kind", choices=("orders", "interactions", "parties"), default="orders")
    args = parser.parse_args()
    result = run(
        kind=args.kind,
        rows=args.rows,
        clients=args.clients,
        customers=args.customers,
        workers=args.workers,
        threads=args.threads,
    )
    print(json.dumps(result, indent=2))
    raise SystemExit(0 if result["meets_goal"] else 1)


if __name__ == "__main__":
    main()
