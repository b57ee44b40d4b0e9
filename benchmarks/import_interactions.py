"""Interaction import benchmark: `clientela import interactions` against DuckDB's read_csv.

Generates an interactions CSV (--rows, 1,000,000 for the goal) for --customers customers
(external id, customer id, channel, direction, ISO time with offset, subject, notes, outcome),
loads the customers into a private SQLite database (its own CLIENTELA_HOME), then times, each
in a child process, on the same file in the same run:

  clientela   `clientela import interactions FILE --as ADMIN`: every row checked with
              InteractionCreate's rules, its customer found, its external id compared with the
              stored ones, logged on the timeline; on SQLite in slices of about half a second
              that commit as they go (each with the journal to take it back)
  duckdb      CREATE TABLE interactions AS SELECT * FROM read_csv('FILE') in a DuckDB file

and prints one JSON document with rows/s for both, their ratio, each child's CPU seconds and
peak memory (ru_maxrss), the slices' longest hold of the write lock, and the load average.
Goal: >= 50,000 rows/s and peak memory <= 1 GiB at 1,000,000 rows.

DuckDB is not a dependency of Clientela: it runs under the interpreter given by
--duckdb-python (default: `.bench/duckdb/bin/python`, which `make bench` builds, else
/tmp/duckdb-venv/bin/python).

    .venv/bin/python benchmarks/import_interactions.py --rows 100000 --customers 10000
    .venv/bin/python benchmarks/import_interactions.py                 # 1,000,000 rows
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
GOAL = {"rows_per_s": 50_000, "peak_memory_mib": 1024}
ADMIN = "bench-admin@example.com"
CHANNELS = ("email", "phone", "sms", "chat", "web_form", "letter", "face_to_face")
SUBJECTS = (
    "Asked about delivery",
    "Complained about a late parcel",
    "Thanked us for the quick answer",
    "Wants a quote for 12 chairs",
    "Newsletter reply",
    "Called to change the address",
)
NOTES = (
    "",
    "Promised a call back on Monday.",
    "Sent the catalogue and waits for an answer; likes the blue model.",
    "Refund agreed with the manager; see the order.",
)

DUCKDB_SCRIPT = """
import sys, time, duckdb
path, db = sys.argv[1], sys.argv[2]
con = duckdb.connect(db)
con.execute("SET enable_progress_bar = false")
started = time.perf_counter()
con.execute("CREATE TABLE interactions AS SELECT * FROM read_csv(?, header = true)", [path])
rows = con.execute("SELECT count(*) FROM interactions").fetchone()[0]
con.close()
print(rows, time.perf_counter() - started)
"""


def default_duckdb() -> str:
    made = ROOT / ".bench" / "duckdb" / "bin" / "python"
    return str(made) if made.exists() else "/tmp/duckdb-venv/bin/python"


def generate(path: Path, rows: int, customers: int, seed: int = 5) -> None:
    """The interactions file: each customer about rows/customers contacts over three years."""
    rng = random.Random(seed)
    start = datetime(2022, 1, 1, tzinfo=UTC)
    span = 3 * 365 * 24 * 3600
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("external_id,customer_id,channel,direction,occurred_at,subject,notes,outcome\n")
        lines = []
        for n in range(rows):
            at = start + timedelta(seconds=rng.randrange(span))
            lines.append(
                f"INT-{n:08d},C{rng.randrange(customers):07d},{rng.choice(CHANNELS)},"
                f"{rng.choice(('inbound', 'outbound'))},{at:%Y-%m-%dT%H:%M:%S}Z,"
                f"{rng.choice(SUBJECTS)},{rng.choice(NOTES)},{rng.choice(('', 'done'))}\n"
            )
            if len(lines) == 50_000:
                out.writelines(lines)
                lines.clear()
        out.writelines(lines)


def prepare_database(home: Path, customers: int) -> dict[str, str]:
    """A migrated database with an admin and the customers, in its own CLIENTELA_HOME."""
    env = {
        **os.environ,
        "CLIENTELA_HOME": str(home),
        "DJANGO_SETTINGS_MODULE": "clientela.settings",
    }
    env.pop("CLIENTELA_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], env=env, check=True)
    loader = f"""
import django; django.setup()
from django.db import transaction
from clientela.accounts.models import Role, User
from clientela.parties.models import Party
User.objects.create_user({ADMIN!r}, "bench password 1234", role=Role.ADMIN)
with transaction.atomic():
    Party.objects.bulk_create(
        (Party(kind="person", given_name="Customer", family_name=str(n),
               display_name=f"Customer {{n}}", external_id=f"C{{n:07d}}")
         for n in range({customers})),
        batch_size=5000,
    )
"""
    subprocess.run([sys.executable, "-c", loader], env=env, check=True)
    return env


def timed_child(
    command: list[str], env: dict[str, str] | None = None
) -> tuple[float, int, str, float]:
    """Wall seconds, peak resident memory (KiB), stdout and CPU seconds of one child process."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        # Files, not pipes: a child that says much would block on a full pipe.
        process = subprocess.Popen(command, env=env, stdout=stdout, stderr=stderr)
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        stdout.seek(0)
        stderr.seek(0)
        out, err = stdout.read().decode(), stderr.read().decode()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{command[0]} failed ({code}):\n{out}\n{err[-3000:]}")
    return seconds, usage.ru_maxrss, out, usage.ru_utime + usage.ru_stime


def stored(env: dict[str, str]) -> int:
    """How many interactions are stored."""
    script = (
        "import django; django.setup()\n"
        "from clientela.interactions.models import Interaction\n"
        "print(Interaction.objects.count())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
    ).stdout
    return int(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--duckdb-python", default=default_duckdb())
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    if not Path(args.duckdb_python).exists():
        raise SystemExit(
            f"DuckDB's interpreter {args.duckdb_python} is missing: run `make bench`, or give "
            "--duckdb-python"
        )
    work = Path(tempfile.mkdtemp(prefix="import-interactions-"))
    try:
        csv_path = work / "interactions.csv"
        started = time.perf_counter()
        generate(csv_path, args.rows, args.customers)
        generated = time.perf_counter() - started
        env = prepare_database(work / "home", args.customers)
        clientela = VENV_BIN / "clientela"
        command = [str(clientela)] if clientela.exists() else [sys.executable, "-m", "django"]
        load_before = os.getloadavg()[0]
        seconds, rss_kib, out, cpu = timed_child(
            [*command, "import", "interactions", str(csv_path), "--as", ADMIN], env
        )
        count = stored(env)
        duck_seconds, duck_rss, duck_out, duck_cpu = timed_child(
            [args.duckdb_python, "-c", DUCKDB_SCRIPT, str(csv_path), str(work / "i.duckdb")]
        )
        duck_rows, duck_load = duck_out.strip().splitlines()[-1].split()
        result = {
            "benchmark": "import_interactions",
            "machine": {
                "cpus": os.cpu_count(),
                "load_average_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "rows": args.rows,
            "customers": args.customers,
            "file_mib": round(csv_path.stat().st_size / 2**20, 1),
            "generate_seconds": round(generated, 2),
            "clientela": {
                "command": "clientela import interactions (SQLite, slices that commit as they go)",
                "seconds": round(seconds, 2),
                "rows_per_s": round(args.rows / seconds),
                "cpu_seconds": round(cpu, 2),
                "peak_memory_mib": round(rss_kib / 1024, 1),
                "stored": count,
                "summary": out.strip().splitlines()[0] if out.strip() else "",
            },
            "duckdb": {
                "command": "CREATE TABLE AS SELECT * FROM read_csv(...)",
                "rows": int(duck_rows),
                "seconds": round(duck_seconds, 2),
                "load_seconds": round(float(duck_load), 2),
                "rows_per_s": round(args.rows / duck_seconds),
                "cpu_seconds": round(duck_cpu, 2),
                "peak_memory_mib": round(duck_rss / 1024, 1),
            },
            "ratio_duckdb_to_clientela": round(seconds / duck_seconds, 1),
            "goal": GOAL,
        }
        result["meets_goal"] = (
            result["clientela"]["rows_per_s"] >= GOAL["rows_per_s"]
            and result["clientela"]["peak_memory_mib"] <= GOAL["peak_memory_mib"]
            and count == args.rows
        )
        print(json.dumps(result, indent=2))
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
