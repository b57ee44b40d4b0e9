"""How the process and SQLite are set for an import while it runs: a bigger page cache, a
longer write-ahead log and wait, and no cyclic garbage collection."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

from django.db import connection


@contextlib.contextmanager
def sqlite_for_importing() -> Iterator[None]:
    """A bigger SQLite page cache while importing: index pages stay in memory (~256 MB for
    the database, as much for the staged orders); a longer write-ahead log between two
    checkpoints (~80 MB), so that an index page written by several slices of the published
    orders is copied back to the database once, not once per slice; and a longer wait for the
    write lock (a minute: an import has no one waiting for an answer, unlike a request)."""
    if connection.vendor != "sqlite":
        yield
        return
    pragmas = {
        "main.cache_size": -262144,
        "temp.cache_size": -262144,
        "wal_autocheckpoint": 20000,
        "busy_timeout": 60_000,
    }
    before = {}
    with connection.cursor() as cursor:
        for name, value in pragmas.items():
            cursor.execute(f"PRAGMA {name}")
            before[name] = int(cursor.fetchone()[0])
            cursor.execute(f"PRAGMA {name} = {value}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in before.items():
                cursor.execute(f"PRAGMA {name} = {value}")


@contextlib.contextmanager
def without_cycle_collector() -> Iterator[None]:
    """No cyclic garbage collection while rows stream: an import makes millions of short-lived
    lists and tuples, none of them in a cycle, and each collection walks every one that is
    alive (a seventh of a large order import). Reference counting still frees them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
