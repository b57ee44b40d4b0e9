"""`clientela init`: migrate and create the first admin, once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from clientela.accounts.models import Role, User


@pytest.fixture
def admin_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENTELA_ADMIN_EMAIL", "boss@example.com")
    monkeypatch.setenv("CLIENTELA_ADMIN_PASSWORD", "a long enough password 7")


@pytest.mark.django_db
@pytest.mark.usefixtures("admin_env")
def test_init_creates_the_admin_from_the_environment() -> None:
    call_command("init", stdout=StringIO())
    admin = User.objects.get()
    assert (admin.email, admin.role) == ("boss@example.com", Role.ADMIN)
    assert admin.check_password("a long enough password 7")


@pytest.mark.django_db
@pytest.mark.usefixtures("admin_env")
def test_init_run_twice_changes_nothing() -> None:
    call_command("init", stdout=StringIO())
    out = StringIO()
    call_command("init", stdout=out)
    assert User.objects.count() == 1
    assert "already exists" in out.getvalue()


@pytest.mark.django_db
def test_init_without_a_terminal_or_environment_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CLIENTELA_ADMIN_EMAIL", raising=False)
    monkeypatch.delenv("CLIENTELA_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", StringIO())
    with pytest.raises(CommandError, match="CLIENTELA_ADMIN_EMAIL and CLIENTELA_ADMIN_PASSWORD"):
        call_command("init", stdout=StringIO())
    assert not User.objects.exists()
