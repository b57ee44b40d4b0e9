"""Production hashes passwords with Argon2id; the suite swaps in a fast hasher (conftest)."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password
from pytest_django.fixtures import Settings as SettingsWrapper

from clientela import settings as production
from clientela.accounts.models import Role
from clientela.accounts.services import create_user

pytestmark = pytest.mark.django_db


def test_production_settings_hash_new_passwords_with_argon2id(settings: SettingsWrapper) -> None:
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    user = create_user("hash@example.com", password="a long pass phrase", role=Role.VIEWER)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert check_password("a long pass phrase", user.password)
    assert not check_password("a long pass phrase.", user.password)


def test_the_suite_hashes_fast_but_still_reads_argon2_hashes(settings: SettingsWrapper) -> None:
    assert settings.PASSWORD_HASHERS[0].endswith("MD5PasswordHasher")
    assert settings.PASSWORD_HASHERS[1:] == production.PASSWORD_HASHERS
