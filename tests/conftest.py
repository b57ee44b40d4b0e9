"""Fixtures shared by every test: users of each role, API clients, signed-in browsers."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from django.db import connections
from django.test import Client
from playwright.sync_api import Page, sync_playwright
from pytest_django.fixtures import Settings

from clientela.accounts.models import RIGHTS, Right, Role, User
from tests import factories


def pytest_configure(config: pytest.Config) -> None:
    """Hash passwords fast: Argon2 takes about 0.3 s a hash by design.

    Production keeps Argon2 first (settings.py); tests/accounts/test_passwords.py proves it.
    Stored Argon2 hashes still verify, since the production hashers stay listed after MD5.
    """
    from django.conf import settings

    # A whole server, an import and API clients at once (tests/api/test_concurrent_writes.py):
    # part of the normal suite, marked so that it can be run alone (-m concurrency).
    config.addinivalue_line("markers", "concurrency: a server, an import and clients at once")
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


@pytest.fixture(autouse=True)
def _english(settings: Settings) -> None:
    """Tests read English unless they switch language themselves."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _fresh_company_settings() -> Iterator[None]:
    """The company's settings are kept in the process for a few seconds: each test reads its
    own (a test's rows are rolled back, the kept copy would not be)."""
    from clientela.accounts.services import forget_company_settings

    forget_company_settings()
    yield
    forget_company_settings()


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


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Page]:
    """A page in Debian's Chromium driven by Playwright; fails the test on any console error."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Debian's Chromium is needed at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself (factories, assertions) are still synchronous and safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        yield page
        browser.close()
        # ORM calls made while Playwright's loop runs get connections of their own; close them
        # here, or PostgreSQL refuses to drop the test database at the end of the session.
        connections.close_all()
        assert errors == [], errors  # no CSP violation, no script error


Grant = Callable[[str, Right], None]


@pytest.fixture
def grant(monkeypatch: pytest.MonkeyPatch) -> Grant:
    """Give a role one more right for the test (accounts.models.RIGHTS), as a company could: for
    tests of the rules that still apply then (access, assignment), not of the matrix itself."""

    def give(role: str, right: Right) -> None:
        monkeypatch.setitem(RIGHTS, role, RIGHTS[role] | {right})

    return give
