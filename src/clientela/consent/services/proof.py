"""The database's own guard over consent proof, and the one way past it: emptying everything.

Triggers (migration 0006) refuse UPDATE and DELETE of consent records and of wordings whose
hash is taken, on SQLite and PostgreSQL, whoever asks: the ORM's base manager, raw SQL, the
`sqlite3` shell or `psql`. They let through erasure's pseudonymisation and a merge's move of
an archived party's records (docs/consent.md, "Proof that cannot be edited").

Emptying the whole database (`flush`, which the demo's rebuild and the test suite use) is the
one removal allowed; `wiping()` flags it for one connection.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from clientela.parties.models import Party

# SQLite connections that are emptying the database (their DELETE triggers ask).
_WIPING: weakref.WeakSet[BaseDatabaseWrapper] = weakref.WeakSet()


def install_sqlite_functions(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """`connection_created` receiver: the functions the SQLite triggers ask.

    clientela_wiping(): whether this connection is emptying the database (`wiping`).
    clientela_party_archived(id): whether that party is archived (a merge moves the records
    of an archived party). A trigger names no other table itself: Django's SQLite migrations
    rebuild a table by dropping it and renaming a copy, which SQLite refuses while a trigger
    names the dropped table. A connection without these functions (the `sqlite3` shell)
    cannot run the triggers at all: its UPDATE or DELETE fails with "no such function".
    """
    if connection.vendor != "sqlite":
        return
    ref = weakref.ref(connection)  # no cycle: the raw connection holds these functions
    archived_sql = f"SELECT archived_at IS NOT NULL FROM {Party._meta.db_table} WHERE id = ?"  # noqa: S608  (a table name from the model)

    def is_wiping() -> int:
        wrapper = ref()
        return int(wrapper is not None and wrapper in _WIPING)

    def is_archived(party_id: int | None) -> int:
        wrapper = ref()
        if wrapper is None or wrapper.connection is None:
            return 0
        row = wrapper.connection.execute(archived_sql, (party_id,)).fetchone()
        return int(bool(row and row[0]))

    connection.connection.create_function("clientela_wiping", 0, is_wiping)
    connection.connection.create_function("clientela_party_archived", 1, is_archived)


@contextmanager
def wiping(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Let this connection empty whole tables of proof while the block runs (flush only)."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('clientela.wiping', 'on', false)")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('clientela.wiping', '', false)")
        return
    _WIPING.add(connection)
    try:
        yield
    finally:
        _WIPING.discard(connection)
