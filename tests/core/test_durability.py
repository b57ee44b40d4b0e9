"""A commit SQLite acknowledged survives a kill -9 of the server: WAL with synchronous=FULL."""

from __future__ import annotations

from pathlib import Path

from django.db.utils import ConnectionHandler
from pytest_django import DjangoDbBlocker

from clientela import settings


def test_a_sqlite_database_commits_durably_in_wal_mode(
    tmp_path: Path, django_db_blocker: DjangoDbBlocker
) -> None:
    config = settings._database(f"sqlite:///{tmp_path / 'clientela.sqlite3'}")
    connection = ConnectionHandler({"default": config})["default"]  # a file, not the test database
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone() == ("wal",)
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone() == (2,)  # FULL: the log is synced to disk at every commit
    connection.close()
