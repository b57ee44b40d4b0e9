"""Privacy export benchmark: one party with the audit's 510,008 orders (one line each), SQLite.

Loads the orders into a private SQLite database, then times, each in a child process,
`clientela privacy export PARTY --out FILE.zip` and `… --out FILE.json`, and prints one JSON
document with each one's seconds, peak memory (ru_maxrss) and output size. Before the export
was streamed in batches, both failed with "too many SQL variables" (every order id went into
one IN list); `--code DIR` runs the same against another checkout's `src` to show it.

    .venv/bin/python benchmarks/privacy_export.py                    # quick: 50,000 orders
    .venv/bin/python benchmarks/privacy_export.py --orders 510008    # the big one
    .venv/bin/python benchmarks/privacy_export.py --orders 100000 --code /path/to/old/src
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLIENTELA = Path(sys.executable).with_name("clientela")

LOAD = """
import sys
import django
django.setup()
from django.db import connection, transaction
from clientela.parties.models import Party
orders = int(sys.argv[1])
party = Party.objects.create(kind="person", given_name="Big", family_name="Buyer",
                             display_name="Big Buyer", external_id="BIG-1")
with transaction.atomic(), connection.cursor() as cursor:
    cursor.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s) "
        "INSERT INTO commerce_order (external_id, party_id, ordered_at, total, currency, "
        "status, channel, created_at) SELECT 'BIG-' || i, %s, "
        "datetime('2022-01-01', '+' || (i % 1000) || ' days'), '10.00', 'EUR', "
        "'completed', 'web', datetime('now') FROM n",
        [orders, party.pk],
    )
    cursor.execute(
        "INSERT INTO commerce_orderline (order_id, sku, product, category, quantity, "
        "unit_price) SELECT id, 'TEA-1', 'Green tea', 'Tea', 1, 10 FROM commerce_order "
        "WHERE party_id = %s",
        [party.pk],
    )
print(party.pk)
"""


# Runs a command and reports its peak memory (KiB) as the last line of standard error.
MEASURE = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
sys.stderr.write(done.stderr)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(done.returncode)
"""


def _run(args: list[str], env: dict[str, str]) -> tuple[bool, float, int, str]:
    """Whether it worked, its seconds, its peak memory (KiB) and its last message."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    lines = done.stderr.strip().splitlines()
    peak = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    message = lines[-2] if len(lines) > 1 else ""
    return done.returncode == 0, seconds, peak, message


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--code", type=Path, default=ROOT / "src", help="the src to measure")
    options = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bench-export-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIENTELA_")}
    env |= {
        "CLIENTELA_HOME": str(home),
        "CLIENTELA_SECRET_KEY": "benchmark",
        "DJANGO_SETTINGS_MODULE": "clientela.settings",
        "PYTHONPATH": os.pathsep.join([str(options.code), str(ROOT)]),
    }
    python = sys.executable
    subprocess.run([python, "-m", "django", "migrate", "-v0"], env=env, check=True)
    started = time.perf_counter()
    loaded = subprocess.run(
        [python, "-c", LOAD, str(options.orders)], env=env, check=True, capture_output=True
    )
    party = loaded.stdout.decode().strip().splitlines()[-1]
    load_seconds = time.perf_counter() - started
    command = [str(CLIENTELA)] if CLIENTELA.exists() else [python, "-m", "clientela.cli"]
    result: dict[str, object] = {
        "orders": options.orders,
        "code": str(options.code),
        "load_s": round(load_seconds, 1),
    }
    for suffix in ("zip", "json"):
        out = home / f"export.{suffix}"
        args = [*command, "privacy", "export", party, "--out", str(out)]
        ok, seconds, peak_kib, message = _run(args, env)
        result[suffix] = {
            "ok": ok,
            "seconds": round(seconds, 1),
            "peak_memory_mib": round(peak_kib / 1024),
            "bytes": out.stat().st_size if out.exists() else 0,
            "message": message,
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
