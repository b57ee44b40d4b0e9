"""More memory for a refresh's sorting and grouping, for that refresh only (refresh.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

# Page cache during a refresh on SQLite (negative: KiB), restored afterwards.
SQLITE_CACHE_KIB = -262_144
# PostgreSQL, during a refresh only: memory for the aggregation's sorts and for each index
# build (the server's defaults, 4 MB and 64 MB, send both to temporary files at a million rows),
# and the aggregation's grouping done by sorting. A hash table of a million (party, day) groups
# took three times as long here as sorting the orders by party and day, which also hands the
# occasions to the per-party grouping in order (1,000,000 orders: 10.6 s against 3.4 s).
POSTGRES_SETTINGS = {
    "work_mem": "256MB",
    "maintenance_work_mem": "256MB",
    "enable_hashagg": "off",
}


@contextmanager
def work_memory() -> Iterator[None]:
    """More memory for sorting and grouping, for this refresh only.

    The aggregation's GROUP BY and each index build sort millions of keys. SQLite's sorter
    keeps in memory only what fits the page cache (default 2 MiB), PostgreSQL's what fits
    work_mem (grouping) and maintenance_work_mem (index builds); the rest spills to temporary
    files. The settings are restored afterwards: the connection outlives the refresh.
    (SQLite's temp_store cannot change inside the adapter's transaction; synchronous stays.)
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            before = {}
            for name, value in POSTGRES_SETTINGS.items():
                cursor.execute("SELECT current_setting(%s), set_config(%s, %s, true)",
                               [name, name, value])  # fmt: skip
                before[name] = cursor.fetchone()[0]
        yield
        # Not on an error: the transaction (or savepoint) rolled back takes the settings with it,
        # and an aborted PostgreSQL transaction would answer any statement with another error.
        with connection.cursor() as cursor:
            for name, value in before.items():
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        return
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_size = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {cache_size}")
