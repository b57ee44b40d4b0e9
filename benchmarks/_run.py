"""Run every benchmark at its quick size and print one JSON line each (`make bench`).

    .venv/bin/python benchmarks/_run.py [--only NAME ...] [-- ARGS FOR EACH SCRIPT]

Each `benchmarks/*.py` (but this file and `_bench.py`) runs in its own process, in name order;
its progress goes to standard error as it comes, and its JSON result is printed on one line:

    {"benchmark": "clv_fit", "database": "sqlite", "seconds": 12.3, "exit": 0, "result": {...}}

With CLIENTELA_DATABASE_URL naming a PostgreSQL server (`make bench-postgres`), the scripts that
support it (they use `_bench.postgres_url`) run there; the others are listed as skipped. The
exit status is 1 if any script failed or printed no JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _bench import ROOT, database_label, postgres_url

HERE = ROOT / "benchmarks"


def scripts() -> list[Path]:
    return sorted(p for p in HERE.glob("*.py") if not p.name.startswith("_"))


def supports_postgres(script: Path) -> bool:
    return "postgres_url" in script.read_text(encoding="utf-8")


def last_json(text: str) -> Any:
    """The script's JSON document: the whole output, or else its last line that is JSON."""
    try:
        return json.loads(text)
    except ValueError:
        pass
    for line in reversed(text.strip().splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    return None


def run(script: Path, extra: list[str]) -> dict[str, Any]:
    name = script.stem
    line: dict[str, Any] = {"benchmark": name, "database": database_label()}
    if postgres_url() and not supports_postgres(script):
        return line | {"skipped": "does not use CLIENTELA_DATABASE_URL (make bench measures it)"}
    print(f"== {name}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(HERE)])}
    done = subprocess.run(
        [sys.executable, str(script), *extra],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    result = last_json(done.stdout)
    line |= {"seconds": round(time.perf_counter() - started, 1), "exit": done.returncode}
    if result is None:
        return line | {"error": "printed no JSON", "output": done.stdout[-2000:]}
    return line | {"result": result}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="these benchmarks only")
    parser.add_argument("extra", nargs="*", help="arguments given to every script (after --)")
    args = parser.parse_args()
    chosen = [s for s in scripts() if not args.only or s.stem in args.only]
    failed = 0
    for script in chosen:
        line = run(script, args.extra)
        failed += line.get("exit", 0) != 0 or "error" in line
        print(json.dumps(line), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
