"""Order import benchmark: `clientela import orders` against DuckDB's read_csv, same file, same run.

Generates a 1,000,000-row orders CSV for 100,000 customers (external id, customer id, ISO time
with offset, total, currency, status, channel), loads the customers into a private SQLite
database, then times, each in a child process:

  clientela   `clientela import orders FILE --as ADMIN` (every row validated, one transaction)
  duckdb      CREATE TABLE orders AS SELECT * FROM read_csv('FILE') in a DuckDB file

and prints one JSON document with rows/s for both, their ratio and each child's peak memory
(ru_maxrss). Goal: >= 150,000 validated rows/s and peak memory <= 1 GiB.

DuckDB is not a dependency of Clientela: it runs in its own virtualenv, .bench/duckdb (made by
`make bench-peers` from benchmarks/peers/duckdb.txt), or under the interpreter --duckdb-python.

    .venv/bin/python benchmarks/import_orders.py                 # quick: 100,000 rows
    .venv/bin/python benchmarks/import_orders.py --rows 1000000 --customers 100000   # the big one

With CLIENTELA_DATABASE_URL naming a PostgreSQL server, Clientela's side runs there, in a
database of its own made afresh (clientela_bench_import_orders).

`--before-src DIR` also times another version of the code (its `src` folder, e.g. an earlier
commit's, from `git archive COMMIT src | tar -x -C DIR/..`) on the same file in the same run,
each in its own fresh database, alternating `--rounds` times, and reports both side by side.
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

from _bench import database_label, fresh_postgres_database, peer_python, postgres_url

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
GOAL = {"rows_per_s": 150_000, "peak_memory_mib": 1024}
ADMIN = "bench-admin@example.com"
CHANNELS = ("web", "store", "phone", "marketplace")
STATUSES = ("completed",) * 18 + ("cancelled", "refunded")

DUCKDB_SCRIPT = """
import sys, time, duckdb
path, db = sys.argv[1], sys.argv[2]
con = duckdb.connect(db)
con.execute("SET enable_progress_bar = false")
started = time.perf_counter()
con.execute("CREATE TABLE orders AS SELECT * FROM read_csv(?, header = true)", [path])
rows = con.execute("SELECT count(*) FROM orders").fetchone()[0]
con.close()
print(rows, time.perf_counter() - started)
"""


def generate(path: Path, rows: int, customers: int, seed: int = 7, *, local: bool = False) -> None:
    """The orders file: each customer orders about rows/customers times over three years.

    `local`: as a European shop writes it instead: ";" between cells, local times written
    DD/MM/YYYY HH:MM:SS (no offset: the company's time zone) and decimal commas."""
    rng = random.Random(seed)
    start = datetime(2022, 1, 1, tzinfo=UTC)
    span = 3 * 365 * 24 * 3600
    sep, moment = (";", "{:%d/%m/%Y %H:%M:%S}") if local else (",", "{:%Y-%m-%dT%H:%M:%S}Z")
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(
            sep.join(("external_id", "customer_id", "ordered_at", "total", "currency"))
            + f"{sep}status{sep}channel\n"
        )
        lines = []
        for n in range(rows):
            at = start + timedelta(seconds=rng.randrange(span))
            total = f"{rng.randrange(500, 50_000) / 100:.2f}"
            cells = (
                f"ORD-{n:08d}",
                f"C{rng.randrange(customers):07d}",
                moment.format(at),
                total.replace(".", ",") if local else total,
                "EUR",
                rng.choice(STATUSES),
                rng.choice(CHANNELS),
            )
            lines.append(sep.join(cells) + "\n")
            if len(lines) == 50_000:
                out.writelines(lines)
                lines.clear()
        out.writelines(lines)


def prepare_database(home: Path, customers: int, src: Path | None = None) -> dict[str, str]:
    """A migrated database with an admin and the customers, in its own CLIENTELA_HOME (with
    the code of `src` first on the path, when given)."""
    env = {**os.environ, "CLIENTELA_HOME": str(home)}
    env["DJANGO_SETTINGS_MODULE"] = "clientela.settings"
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")])
    env.pop("CLIENTELA_DATABASE_URL", None)
    if (server := postgres_url()) is not None:
        env["CLIENTELA_DATABASE_URL"] = fresh_postgres_database(server, "import_orders")
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
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    out = process.stdout.read().decode() if process.stdout else ""
    err = process.stderr.read().decode() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({process.returncode}):\n{out}\n{err[-3000:]}")
    return seconds, usage.ru_maxrss, out, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--duckdb-python", help="default: .bench/duckdb/bin/python")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--before-src", type=Path, help="also time this version's src folder")
    parser.add_argument("--rounds", type=int, default=2, help="alternations with --before-src")
    parser.add_argument(
        "--local",
        action="store_true",
        help="with --before-src: also time this version on the same orders written as a "
        "European shop writes them (';', DD/MM/YYYY local times, decimal commas)",
    )
    args = parser.parse_args()
    args.duckdb_python = peer_python("duckdb", args.duckdb_python)
    if args.before_src is not None:
        compare(args)
        return

    work = Path(tempfile.mkdtemp(prefix="import-orders-"))
    try:
        csv_path = work / "orders.csv"
        started = time.perf_counter()
        generate(csv_path, args.rows, args.customers)
        generated = time.perf_counter() - started
        env = prepare_database(work / "home", args.customers)

        clientela = VENV_BIN / "clientela"
        command = [str(clientela)] if clientela.exists() else [sys.executable, "-m", "django"]
        load_before = os.getloadavg()[0]
        seconds, rss_kib, out, cpu = timed_child(
            [*command, "import", "orders", str(csv_path), "--as", ADMIN], env
        )
        duck_seconds, duck_rss, duck_out, duck_cpu = timed_child(
            [args.duckdb_python, "-c", DUCKDB_SCRIPT, str(csv_path), str(work / "orders.duckdb")]
        )
        duck_rows, duck_load = duck_out.strip().splitlines()[-1].split()
        result = {
            "benchmark": "import_orders",
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
                "command": "clientela import orders",
                "database": database_label(),
                "seconds": round(seconds, 2),
                "rows_per_s": round(args.rows / seconds),
                "cpu_seconds": round(cpu, 2),
                "rows_per_cpu_s": round(args.rows / cpu),
                "peak_memory_mib": round(rss_kib / 1024, 1),
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
            "goal": GOAL,
        }
        result["ratio_duckdb_to_clientela"] = round(seconds / duck_seconds, 1)
        result["meets_goal"] = (
            result["clientela"]["rows_per_s"] >= GOAL["rows_per_s"]
            and result["clientela"]["peak_memory_mib"] <= GOAL["peak_memory_mib"]
        )
        print(json.dumps(result, indent=2))
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


def compare(args: argparse.Namespace) -> None:
    """This version and `--before-src`, alternating on the same file, each import into a
    fresh database; medians and every run."""
    work = Path(tempfile.mkdtemp(prefix="import-orders-"))
    try:
        csv_path = work / "orders.csv"
        generate(csv_path, args.rows, args.customers)
        files = {"after": csv_path, "before": csv_path}
        if args.local:
            files["after-local"] = work / "orders-local.csv"
            generate(files["after-local"], args.rows, args.customers, local=True)
        clientela = VENV_BIN / "clientela"
        command = [str(clientela)] if clientela.exists() else [sys.executable, "-m", "django"]
        sides = {"after": None, "before": args.before_src.resolve()}
        if args.local:
            sides["after-local"] = None
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
        for round_ in range(args.rounds):
            for name, src in sides.items():
                home = work / f"{name}-{round_}"
                env = prepare_database(home, args.customers, src)
                load = os.getloadavg()[0]
                seconds, rss_kib, _out, cpu = timed_child(
                    [*command, "import", "orders", str(files[name]), "--as", ADMIN], env
                )
                runs[name].append(
                    {
                        "seconds": round(seconds, 2),
                        "rows_per_s": round(args.rows / seconds),
                        "cpu_seconds": round(cpu, 2),
                        "peak_memory_mib": round(rss_kib / 1024, 1),
                        "load_before": round(load, 1),
                    }
                )
                shutil.rmtree(home, ignore_errors=True)
        result = {
            "benchmark": "import_orders (before/after)",
            "rows": args.rows,
            "customers": args.customers,
            "cpus": os.cpu_count(),
            "before_src": str(args.before_src),
            "median_rows_per_s": {
                name: sorted(r["rows_per_s"] for r in done)[len(done) // 2]
                for name, done in runs.items()
            },
            "runs": runs,
            "goal": GOAL,
        }
        print(json.dumps(result, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
