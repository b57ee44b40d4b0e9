"""Party import benchmark: `clientela import parties` against DuckDB's read_csv, same files,
same run.

Generates a parties CSV of --rows new people (1,000,000 by default), each with an external id,
a given and a family name, an e-mail, a phone (Portuguese mobile numbers written as people
write them, `+351 912 345 678`) and a tag, and a second file of the same people with another
language and a second tag (what an upsert changes). In a fresh SQLite database it times, each
in a child process:

  new        `clientela import parties NEW.csv --as ADMIN`          (every party created)
  upsert     `clientela import parties UPSERT.csv --upsert --as ADMIN` (every party updated)
  duckdb     CREATE TABLE parties AS SELECT * FROM read_csv('NEW.csv') in a DuckDB file

and prints one JSON document: rows/s, CPU seconds and peak memory (ru_maxrss) of each, and
the ratio to DuckDB. Goals (issue 11): new >= 20,000 rows/s, upsert >= 10,000 rows/s, peak
memory <= 1 GiB at 1M rows.

DuckDB is not a dependency of Clientela: it runs under --duckdb-python (default
`.bench/duckdb/bin/python` when `make bench` made it, else /tmp/duckdb-venv/bin/python).

    .venv/bin/python benchmarks/import_parties.py --rows 100000
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
GOAL = {"new_rows_per_s": 20_000, "upsert_rows_per_s": 10_000, "peak_memory_mib": 1024}
ADMIN = "bench-admin@example.com"
GIVEN = "Ana Maria João Rui Pedro Inês Carla Miguel Sofia Tiago Rita Nuno Marta Luís".split()
FAMILY = "Silva Santos Ferreira Pereira Oliveira Costa Rodrigues Martins Sousa Gomes".split()

DUCKDB_SCRIPT = """
import sys, time, duckdb
path, db = sys.argv[1], sys.argv[2]
con = duckdb.connect(db)
con.execute("SET enable_progress_bar = false")
started = time.perf_counter()
con.execute("CREATE TABLE parties AS SELECT * FROM read_csv(?, header = true)", [path])
rows = con.execute("SELECT count(*) FROM parties").fetchone()[0]
con.close()
print(rows, time.perf_counter() - started)
"""


def generate(path: Path, rows: int, *, upsert: bool, seed: int = 11) -> None:
    """The parties file; with `upsert`, the same people with a language and a second tag."""
    rng = random.Random(seed)
    header = "external_id,given_name,family_name,email,phone,tags"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header + (",language\n" if upsert else "\n"))
        lines = []
        for n in range(rows):
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            number = 910_000_000 + n
            phone = f"+351 {number // 1_000_000} {number // 1000 % 1000:03d} {number % 1000:03d}"
            email = f"{given.lower().replace('ã', 'a').replace('é', 'e')}.{n}@example.com"
            tags = "customer;newsletter" if upsert else "customer"
            line = f"P{n:08d},{given},{family},{email},{phone},{tags}"
            lines.append(line + (",pt\n" if upsert else "\n"))
            if len(lines) == 50_000:
                out.writelines(lines)
                lines.clear()
        out.writelines(lines)


def prepare_database(home: Path) -> dict[str, str]:
    """A migrated database with an admin, in its own CLIENTELA_HOME."""
    env = {
        **os.environ,
        "CLIENTELA_HOME": str(home),
        "DJANGO_SETTINGS_MODULE": "clientela.settings",
    }
    env.pop("CLIENTELA_DATABASE_URL", None)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")])
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup()\n"
            "from clientela.accounts.models import Role, User\n"
            f"User.objects.create_user({ADMIN!r}, 'bench password 1234', role=Role.ADMIN)\n",
        ],
        env=env,
        check=True,
    )
    return env


def timed_child(command: list[str], env: dict[str, str] | None = None) -> dict[str, float | str]:
    """Wall seconds, peak memory, CPU seconds and the last line printed by one child."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    out = process.stdout.read().decode() if process.stdout else ""
    err = process.stderr.read().decode() if process.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[0]} failed:\n{out}\n{err[-3000:]}")
    lines = out.strip().splitlines()
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_memory_mib": round(usage.ru_maxrss / 1024, 1),
        "output": lines[0] if lines else "",
    }


def _duckdb_python(given: str | None) -> str:
    if given:
        return given
    local = ROOT / ".bench" / "duckdb" / "bin" / "python"
    return str(local) if local.exists() else "/tmp/duckdb-venv/bin/python"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--duckdb-python", help="an interpreter with duckdb installed")
    parser.add_argument("--no-upsert", action="store_true", help="time the new parties only")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="import-parties-"))
    try:
        new_csv, upsert_csv = work / "new.csv", work / "upsert.csv"
        generate(new_csv, args.rows, upsert=False)
        generate(upsert_csv, args.rows, upsert=True)
        env = prepare_database(work / "home")
        clientela = VENV_BIN / "clientela"
        command = [str(clientela)] if clientela.exists() else [sys.executable, "-m", "django"]
        load_before = os.getloadavg()[0]
        runs: dict[str, dict[str, float | str]] = {}
        runs["new"] = timed_child([*command, "import", "parties", str(new_csv), "--as", ADMIN], env)
        if not args.no_upsert:
            runs["upsert"] = timed_child(
                [*command, "import", "parties", str(upsert_csv), "--upsert", "--as", ADMIN], env
            )
        duck = timed_child(
            [
                _duckdb_python(args.duckdb_python),
                "-c",
                DUCKDB_SCRIPT,
                str(new_csv),
                str(work / "parties.duckdb"),
            ]
        )
        for run in runs.values():
            run["rows_per_s"] = round(args.rows / float(run["seconds"]))
            run["ratio_to_duckdb"] = round(float(run["seconds"]) / float(duck["seconds"]), 1)
        duck["rows_per_s"] = round(args.rows / float(duck["seconds"]))
        result = {
            "benchmark": "import_parties",
            "machine": {
                "cpus": os.cpu_count(),
                "load_average_before_after": [round(load_before, 1), round(os.getloadavg()[0], 1)],
                "python": platform.python_version(),
                "platform": platform.platform(),
            },
            "rows": args.rows,
            "file_mib": round(new_csv.stat().st_size / 2**20, 1),
            "clientela": runs,
            "duckdb": duck,
            "goal": GOAL,
        }
        peak = max(float(r["peak_memory_mib"]) for r in runs.values())
        result["meets_goal"] = (
            float(runs["new"]["rows_per_s"]) >= GOAL["new_rows_per_s"]
            and (
                "upsert" not in runs
                or float(runs["upsert"]["rows_per_s"]) >= GOAL["upsert_rows_per_s"]
            )
            and peak <= GOAL["peak_memory_mib"]
        )
        print(json.dumps(result, indent=2))
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
