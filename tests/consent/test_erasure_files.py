"""After erasure, the person's name, e-mail and phone are in no database file or dump."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from clientela.accounts.models import User
from tests.consent.test_privacy import EMAIL, NAME, PHONE, person

SECRETS = [NAME[0].encode(), NAME[1].encode(), EMAIL.encode(), PHONE.encode(), b"913579246"]

SEED = """
import django
django.setup()
from clientela.accounts.models import User
from tests.consent.test_privacy import person
admin = User.objects.create_user("admin@example.com", "a long password 1234", role="admin")
print(person(admin).pk)
"""


def _found(paths: list[Path]) -> list[bytes]:
    data = b"".join(p.read_bytes() for p in paths if p.exists())
    return [s for s in SECRETS if s in data or s.lower() in data.lower()]


def _run(args: list[str], env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(  # noqa: S603  (our own interpreter and command)
        args, env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_sqlite_database_file_holds_nothing_of_the_erased_person(tmp_path: Path) -> None:
    home = tmp_path / "home"
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIENTELA_")}
    env |= {
        "CLIENTELA_HOME": str(home),
        "CLIENTELA_SECRET_KEY": "erasure test key",
        "DJANGO_SETTINGS_MODULE": "clientela.settings",
        # This checkout's code first, before whichever clientela the interpreter has installed.
        "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)]),
    }
    python = sys.executable
    _run([python, "-m", "django", "migrate", "-v0"], env, root)
    party_id = _run([python, "-c", SEED], env, root).strip().splitlines()[-1]
    files = [home / f"clientela.sqlite3{suffix}" for suffix in ("", "-wal", "-shm")]
    assert _found(files) == SECRETS  # the test can see the data before erasure
    clientela = Path(python).with_name("clientela")
    command = [str(clientela)] if clientela.exists() else [python, "-m", "clientela.cli"]
    out = _run([*command, "privacy", "erase", party_id, "--yes"], env, root)
    assert f"Party {party_id} erased" in out
    assert _found(files) == []


@pytest.mark.django_db(transaction=True)
def test_the_live_database_holds_nothing_of_the_erased_person_after_the_command() -> None:
    admin = User.objects.create_user("admin@example.com", "a long password 1234", role="admin")
    party = person(admin)
    assert _live_found() == SECRETS  # the test can see the data before erasure
    call_command("privacy", "erase", str(party.pk), "--yes")
    assert _live_found() == []


def _live_found() -> list[bytes]:
    if connection.vendor == "sqlite":
        raw = connection.connection.serialize()  # every page, free pages included
    elif connection.vendor == "postgresql":
        raw = _pg_dump()
    else:  # pragma: no cover
        pytest.skip(f"no byte-level check for {connection.vendor}")
    return [s for s in SECRETS if s in raw]


def _pg_dump() -> bytes:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:  # pragma: no cover
        pytest.fail("pg_dump is needed to check erasure on PostgreSQL")
    conf = connection.settings_dict
    env = dict(os.environ, PGPASSWORD=conf.get("PASSWORD") or "")
    args = [pg_dump, "--data-only", "-d", conf["NAME"]]
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if conf.get(key):
            args += [flag, str(conf[key])]
    done = subprocess.run(  # noqa: S603  (pg_dump's own path, the test database's settings)
        args, env=env, capture_output=True, timeout=120, check=True
    )
    return done.stdout
