"""Fixtures shared by every test: users of each role, API clients, signed-in browsers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from clientela.accounts.models import Role, User
from tests import factories


@pytest.fixture(autouse=True)
def _english(settings: object) -> None:
    """Tests read English unless they switch language themselves."""
    settings.LANGUAGE_CODE = "en"  # type: ignore[attr-defined]


@pytest.fixture
def admin(db: None) -> User:
    return factories.make_user(role=Role.ADMIN, email="admin@example.com")


@pytest.fixture
def manager(db: None) -> User:
    return factories.make_user(role=Role.MANAGER, email="manager@example.com")


@pytest.fixture
def viewer(db: None) -> User:
    return factories.make_user(role=Role.VIEWER, email="viewer@example.com")


@pytest.fixture
def sales_a(db: None) -> User:
    return factories.make_user(role=Role.SALES, email="sales.a@example.com", team="Team A")


@pytest.fixture
def sales_b(db: None) -> User:
    return factories.make_user(role=Role.SALES, email="sales.b@example.com", team="Team B")


@pytest.fixture
def api_client() -> Callable[[User], Client]:
    """A test client that sends a fresh API token of the given user."""
    return factories.api_client


@pytest.fixture
def web_client() -> Callable[[User], Client]:
    """A test client signed in to the web app as the given user."""

    def make(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
