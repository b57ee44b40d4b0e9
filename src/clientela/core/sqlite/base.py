"""Django's SQLite backend, whose writers wait for the write lock at a turnstile.

Every transaction starts with BEGIN IMMEDIATE (settings), where a writer waits for the lock.
While it waits there it holds the database's turnstile (core.database.Turnstile) shared: a long
write, between two of its slices, lets every writer that waits go first.
"""

from __future__ import annotations

from typing import Any

from django.db.backends.sqlite3 import base

from clientela.core.database import Turnstile


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.turnstile: Turnstile | None = None

    def get_new_connection(self, conn_params: Any) -> Any:
        connection = super().get_new_connection(conn_params)
        if self.turnstile is None and not self.is_in_memory_db():
            self.turnstile = Turnstile(str(self.settings_dict["NAME"]))
        return connection

    def _start_transaction_under_autocommit(self) -> None:
        # Django's hook for BEGIN (private, so not in django-stubs).
        begin = super()._start_transaction_under_autocommit  # type: ignore[misc]  # see above
        if self.turnstile is None:
            begin()
            return
        with self.turnstile.waiting():
            begin()

    def _close(self) -> None:
        super()._close()  # type: ignore[misc]  # Django's private hook, not in django-stubs
        if self.turnstile is not None:
            self.turnstile.close()
            self.turnstile = None
