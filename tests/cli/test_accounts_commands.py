"""`clientela user` and `clientela token`: staff users and API tokens from the shell."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from clientela.accounts.models import ApiToken, Role, User
from tests import factories

PASSWORD = "a long enough password 7"


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def api_status(token: str) -> int:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get("/api/v1/parties").status_code


@pytest.fixture
def password_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENTELA_PASSWORD", PASSWORD)


@pytest.mark.django_db
@pytest.mark.usefixtures("password_env")
def test_user_create_takes_the_password_from_the_environment() -> None:
    run("user", "create", "Ana@Example.com", "--role", "sales", "--team", "Iberia", "--name", "Ana")
    user = User.objects.get(email="ana@example.com")
    assert (user.role, user.team.name if user.team else None, user.full_name) == (
        Role.SALES,
        "Iberia",
        "Ana",
    )
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
@pytest.mark.usefixtures("password_env")
def test_user_create_with_an_unknown_role_fails_naming_the_value() -> None:
    with pytest.raises(CommandError, match=r"role.*'boss'"):
        run("user", "create", "ana@example.com", "--role", "boss")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_user_create_without_a_password_or_terminal_fails_clearly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CLIENTELA_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", StringIO())
    with pytest.raises(CommandError, match="CLIENTELA_PASSWORD"):
        run("user", "create", "ana@example.com", "--role", "sales")


@pytest.mark.django_db
@pytest.mark.usefixtures("password_env")
def test_user_create_refuses_an_existing_email() -> None:
    factories.make_user(email="ana@example.com")
    with pytest.raises(CommandError, match=r"ana@example\.com already exists"):
        run("user", "create", "ana@example.com", "--role", "sales")


@pytest.mark.django_db
def test_token_create_prints_a_token_that_authenticates_against_the_api() -> None:
    factories.make_user(email="ana@example.com", role=Role.MANAGER)
    token = run("token", "create", "ana@example.com", "--name", "ci").strip()
    assert api_status(token) == 200
    assert ApiToken.objects.get().name == "ci"


@pytest.mark.django_db
def test_token_revoke_stops_the_token_at_once() -> None:
    factories.make_user(email="ana@example.com", role=Role.MANAGER)
    token = run("token", "create", "ana@example.com").strip()
    run("token", "revoke", str(ApiToken.objects.get().pk))
    assert api_status(token) == 401


@pytest.mark.django_db
def test_token_revoke_of_an_unknown_id_fails_naming_it() -> None:
    with pytest.raises(CommandError, match="no token with id 999"):
        run("token", "revoke", "999")


@pytest.mark.django_db
def test_token_list_shows_the_prefix_but_never_the_token() -> None:
    factories.make_user(email="ana@example.com", role=Role.MANAGER)
    token = run("token", "create", "ana@example.com", "--name", "reporting").strip()
    listing = run("token", "list", "ana@example.com")
    assert "reporting" in listing
    assert token[:10] in listing
    assert token not in listing


@pytest.mark.django_db
def test_a_disabled_users_tokens_stop_at_once() -> None:
    factories.make_user(email="ana@example.com", role=Role.MANAGER)
    token = run("token", "create", "ana@example.com").strip()
    run("user", "disable", "ana@example.com")
    assert api_status(token) == 401
    assert not User.objects.get(email="ana@example.com").is_active


@pytest.mark.django_db
def test_user_commands_name_an_unknown_email() -> None:
    with pytest.raises(CommandError, match=r"no user with e-mail nobody@example\.com"):
        run("user", "disable", "nobody@example.com")


@pytest.mark.django_db
@pytest.mark.usefixtures("password_env")
def test_user_create_explains_a_bad_role_in_the_active_language() -> None:
    with translation.override("pt"), pytest.raises(CommandError) as caught:
        run("user", "create", "ana@example.com", "--role", "boss")

    assert "tem de ser um de: admin, manager" in str(caught.value)
    assert "'boss'" in str(caught.value)


@pytest.mark.django_db
@pytest.mark.usefixtures("password_env")
def test_user_create_explains_a_bad_email_in_the_active_language() -> None:
    with translation.override("pt"), pytest.raises(CommandError) as caught:
        run("user", "create", "not an address", "--role", "sales")

    assert "não é um endereço de e-mail válido" in str(caught.value)


class _Terminal(StringIO):
    """Standard output as a person's terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.django_db
def test_token_create_tells_a_person_of_its_success_on_standard_output() -> None:
    factories.make_user(email="ana@example.com", role=Role.MANAGER)
    out, err = _Terminal(), StringIO()
    call_command("token", "create", "ana@example.com", stdout=out, stderr=err)
    done, token = out.getvalue().splitlines()
    assert "\x1b[31" not in done  # never the error red
    assert "Token " in done
    assert "shown once, copy it now:" in done
    assert err.getvalue() == ""
    assert api_status(token.strip()) == 200


@pytest.mark.django_db
def test_token_create_into_a_pipe_prints_the_token_alone() -> None:
    factories.make_user(email="ana@example.com", role=Role.MANAGER)
    out, err = StringIO(), StringIO()
    call_command("token", "create", "ana@example.com", stdout=out, stderr=err)
    assert len(out.getvalue().split()) == 1
    assert "shown once" in err.getvalue()
    assert "\x1b[" not in err.getvalue()
