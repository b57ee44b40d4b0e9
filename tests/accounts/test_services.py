"""Staff accounts' refusals: each has a code and names what it is about."""

from __future__ import annotations

import pytest

from clientela.accounts.models import Role, User
from clientela.accounts.services import (
    create_token,
    create_user,
    find_user,
    require_write,
    revoke_token,
    set_user_active,
)
from clientela.core.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from tests.factories import make_user

pytestmark = pytest.mark.django_db
PASSWORD = "a long enough password 7"


def _code(error: DomainError) -> tuple[str, str]:
    (field_error,) = error.errors
    return field_error.field, field_error.code


def test_a_new_user_needs_an_email_a_known_role_and_a_strong_password() -> None:
    with pytest.raises(Invalid) as email:
        create_user("not an address", password=PASSWORD, role=Role.SALES)
    with pytest.raises(Invalid) as role:
        create_user("ana@example.com", password=PASSWORD, role="boss")
    with pytest.raises(Invalid) as password:
        create_user("ana@example.com", password="short", role=Role.SALES)

    assert _code(email.value) == ("email", "email_invalid")
    assert _code(role.value) == ("role", "role_invalid")
    assert role.value.errors[0].params == {"values": ", ".join(Role.values)}
    assert _code(password.value) == ("password", "password_rejected")
    assert password.value.errors[0].value == "***"  # the password itself is never repeated
    assert not User.objects.exists()


def test_an_email_already_used_is_a_conflict_naming_it() -> None:
    make_user(email="ana@example.com")

    with pytest.raises(Conflict) as caught:
        create_user("Ana@Example.com", password=PASSWORD, role=Role.SALES)

    assert (caught.value.code, caught.value.params) == ("user_exists", {"email": "ana@example.com"})
    assert caught.value.detail == "a user with e-mail ana@example.com already exists"


def test_a_disabled_user_gets_no_new_token() -> None:
    user = set_user_active(make_user(), active=False)

    with pytest.raises(Invalid) as caught:
        create_token(user)

    assert _code(caught.value) == ("email", "user_disabled")


def test_unknown_tokens_and_users_are_not_found_with_their_codes() -> None:
    user = make_user(role=Role.MANAGER)
    other = make_user(role=Role.MANAGER)
    token, _raw = create_token(other)

    with pytest.raises(NotFound) as token_error:
        revoke_token(user, token.pk)  # someone else's token: as if it did not exist
    with pytest.raises(NotFound) as user_error:
        find_user("nobody@example.com")

    assert (token_error.value.code, token_error.value.params) == (
        "token_not_found",
        {"id": token.pk},
    )
    assert (user_error.value.code, user_error.value.detail) == (
        "user_not_found",
        "no user with e-mail nobody@example.com",
    )


def test_readers_and_disabled_users_may_not_write() -> None:
    viewer = make_user(role=Role.VIEWER)
    make_user(role=Role.ADMIN)  # the last active admin is never disabled
    disabled = set_user_active(make_user(role=Role.ADMIN), active=False)

    for user in (viewer, disabled):
        with pytest.raises(Forbidden) as caught:
            require_write(user)
        assert caught.value.code == "role_read_only"
