"""What Clientela writes is its own user's alone: the database and its journal, the secret key,
and any other file the process makes (0600), started from a shell whose umask is 022."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import clientela
from clientela.core.files import make_private, private_fd, private_folder

SRC = Path(clientela.__file__).resolve().parent.parent
START = """
import os, stat, django
django.setup()
from django.conf import settings
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE IF NOT EXISTS t (x)")
    cursor.execute("INSERT INTO t VALUES (1)")
    with open(settings.HOME / "export.csv", "w") as out:  # any other file the process makes
        out.write("x")
    for name in ("clientela.sqlite3", "clientela.sqlite3-wal", "clientela.sqlite3-shm",
                 "secret_key", "export.csv", "."):
        print(name, oct(stat.S_IMODE(os.stat(settings.HOME / name).st_mode)))
"""


def _start(home: Path) -> dict[str, str]:
    """Start Clientela in a fresh process with umask 022; the modes of what it wrote."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIENTELA_")}
    env.update(
        CLIENTELA_HOME=str(home),
        DJANGO_SETTINGS_MODULE="clientela.settings",
        PYTHONPATH=str(SRC),
    )
    done = subprocess.run(  # noqa: S603  (our own interpreter and a fixed script)
        [sys.executable, "-c", START],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        preexec_fn=lambda: os.umask(0o022),
    )
    return dict(line.split() for line in done.stdout.splitlines())


def test_a_fresh_start_writes_nothing_others_can_read(tmp_path: Path) -> None:
    modes = _start(tmp_path / "home")

    assert modes == {
        "clientela.sqlite3": "0o600",
        "clientela.sqlite3-wal": "0o600",
        "clientela.sqlite3-shm": "0o600",
        "secret_key": "0o600",
        "export.csv": "0o600",
        ".": "0o700",
    }


def test_files_left_readable_by_an_older_version_are_closed_at_start(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    for name in ("clientela.sqlite3", "secret_key"):
        (home / name).write_text("" if name.endswith("3") else "an old key")
        (home / name).chmod(0o644)

    modes = _start(home)

    assert modes["clientela.sqlite3"] == modes["secret_key"] == "0o600"
    assert (home / "secret_key").read_text() == "an old key"


def test_the_helpers_make_private_files_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        folder = private_folder(tmp_path / "a" / "b")
        with open(private_fd(folder / "new"), "w") as out:
            out.write("x")
        existing = folder / "existing"
        existing.write_text("x")
        existing.chmod(0o666)
        with open(private_fd(existing), "w") as out:
            out.write("y")
        loose = folder / "loose"
        loose.write_text("x")
        loose.chmod(0o644)
        make_private(loose)
        make_private(folder / "absent", create=False)
    finally:
        os.umask(old)

    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(folder) == 0o700
    assert mode(folder / "new") == mode(existing) == mode(loose) == 0o600
    assert existing.read_text() == "y"
    assert not (folder / "absent").exists()
