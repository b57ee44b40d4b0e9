"""What the benchmark scripts share: where their peers live, and which database they run on.

Not a benchmark itself (the leading underscore keeps it out of `make bench` and its tests).

Peers: each thing a benchmark compares against (lifetimes 0.11.3, DuckDB) lives in its own
virtual environment under `.bench/NAME` in the repository, made by `make bench-peers` (which
`make bench` runs) from the pins in `benchmarks/peers/NAME.txt`. None of them is a dependency
of Clientela. A script that needs a missing peer stops with a message saying how to get it.

Database: with `CLIENTELA_DATABASE_URL` naming a PostgreSQL server, a benchmark that supports
it runs there, in a database of its own (`clientela_bench_<name>`, made afresh on the same
server, never the one the URL names); otherwise it runs on SQLite under its own folder.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / ".bench"
PEER_PINS = ROOT / "benchmarks" / "peers"


def peer_python(name: str, given: str | None = None) -> str:
    """The interpreter of the peer `name` (`given` wins); stops the script if it is missing."""
    python = Path(given) if given else PEERS / name / "bin" / "python"
    if not os.access(python, os.X_OK):
        script = Path(sys.argv[0]).name
        print(
            f"{script}: the {name} peer is missing ({python} not found). It lives in its own "
            f"virtual environment, made from benchmarks/peers/{name}.txt: run `make bench-peers` "
            f"(or `make bench`), or pass --{name}-python PATH.",
            file=sys.stderr,
        )
        raise SystemExit(2)
    return str(python)


def require_wrk() -> str:
    """The path of `wrk`; stops the script if it is not installed."""
    found = shutil.which("wrk")
    if found is None:
        print(
            f"{Path(sys.argv[0]).name}: wrk is needed: `make bench-peers` installs it "
            "(apt-get install -y wrk).",
            file=sys.stderr,
        )
        raise SystemExit(2)
    return found


def postgres_url() -> str | None:
    """CLIENTELA_DATABASE_URL when it names a PostgreSQL server, else None (SQLite)."""
    url = os.environ.get("CLIENTELA_DATABASE_URL", "")
    return url if urlparse(url).scheme in {"postgres", "postgresql"} else None


def database_label() -> str:
    return "postgresql" if postgres_url() else "sqlite"


def fresh_postgres_database(url: str, name: str) -> str:
    """Make database `clientela_bench_<name>` afresh on `url`'s server; return its URL."""
    import psycopg

    database = f"clientela_bench_{name}"
    parsed = urlparse(url)
    with psycopg.connect(urlunparse(parsed._replace(path="/postgres")), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        db.execute(f'CREATE DATABASE "{database}"')
    return urlunparse(parsed._replace(path=f"/{database}"))


def postgres_database(url: str, name: str) -> str:
    """The URL of database `clientela_bench_<name>` on `url`'s server (as it is)."""
    parsed = urlparse(url)
    return urlunparse(parsed._replace(path=f"/clientela_bench_{name}"))
