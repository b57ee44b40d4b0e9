"""Signing in: one throttle for the product's page and the admin's, keyed on the e-mail and on
the client address (behind a trusted proxy, the forwarded one); one answer for every cause."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.utils import translation
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.5"


def _sign_in(client: Client, email: str, password: str, **extra: Any) -> Any:
    return client.post("/sign-in/?next=/admin/", {"email": email, "password": password}, **extra)


def test_the_audits_admin_guessing_no_longer_signs_in(admin: User) -> None:
    """The audit: 8 wrong admin passwords at /admin/login/, then the right one, signed in."""
    client = Client()
    for _ in range(8):
        client.post("/admin/login/?next=/admin/", {"username": admin.email, "password": "wrong"})
    client.post("/admin/login/?next=/admin/", {"username": admin.email, "password": "x"})
    followed = client.post(
        "/admin/login/?next=/admin/",
        {"username": admin.email, "password": factories.PASSWORD},
        follow=True,
    )

    assert followed.redirect_chain[-1] == ("/sign-in/?next=%2Fadmin%2F", 302)
    assert client.get("/admin/").status_code == 302  # not signed in


def test_the_admins_sign_in_is_throttled_like_everyone_elses(admin: User) -> None:
    client = Client()
    statuses = [_sign_in(client, admin.email, "wrong").status_code for _ in range(8)]

    right = _sign_in(client, admin.email, factories.PASSWORD)

    assert statuses == [401] * 5 + [429] * 3
    assert right.status_code == 429
    assert client.get("/admin/").status_code == 302  # not signed in


def test_a_throttled_sign_in_says_when_to_try_again(admin: User, settings: Settings) -> None:
    settings.CLIENTELA_SIGNIN_MAX_FAILURES = 1
    client = Client()
    _sign_in(client, admin.email, "wrong")

    response = _sign_in(client, admin.email, factories.PASSWORD)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.CLIENTELA_SIGNIN_WINDOW_SECONDS
    body = response.content.decode()
    assert 'data-code="throttled"' in body
    assert f"try again in {response['Retry-After']} seconds" in body


def test_the_throttled_message_is_in_the_readers_language(admin: User, settings: Settings) -> None:
    settings.CLIENTELA_SIGNIN_MAX_FAILURES = 1
    client = Client(HTTP_ACCEPT_LANGUAGE="pt")
    _sign_in(client, admin.email, "wrong")

    response = _sign_in(client, admin.email, "wrong")

    with translation.override("pt"):
        message = translation.gettext("too many attempts; try again in %(seconds)s seconds")
    assert message % {"seconds": response["Retry-After"]} in response.content.decode()


class CountingHasher(MD5PasswordHasher):
    """The tests' fast hasher, counting the password checks: the work a sign-in costs."""

    calls: ClassVar[list[str]] = []

    def encode(self, password: str, salt: str) -> str:
        self.calls.append("encode")
        return super().encode(password, salt)


@pytest.fixture
def counted(settings: Settings) -> list[str]:
    settings.PASSWORD_HASHERS = ["tests.web.test_sign_in.CountingHasher"]
    CountingHasher.calls.clear()
    return CountingHasher.calls


@pytest.mark.parametrize("cause", ["unknown user", "wrong password", "disabled user"])
def test_every_refusal_answers_the_same_after_the_same_work(cause: str, counted: list[str]) -> None:
    user = factories.make_user(email="known@example.com", is_active=cause != "disabled user")
    email = "nobody@example.com" if cause == "unknown user" else user.email
    password = "wrong" if cause == "wrong password" else factories.PASSWORD
    counted.clear()

    response = _sign_in(Client(), email, password)

    body = response.content.decode().replace(email, "EMAIL")
    start = body.index('<p class="alert')
    assert response.status_code == 401
    assert body[start : body.index("</p>", start)] == (
        '<p class="alert error" role="alert" id="signin-error" data-code="sign_in_refused">'
        "E-mail or password is not right, or too many attempts. Try again later."
    )
    assert counted == ["encode"]  # one password hash whatever the cause


# Behind a reverse proxy


@pytest.fixture
def behind_proxy(settings: Settings) -> Settings:
    settings.CLIENTELA_SIGNIN_MAX_FAILURES_PER_ADDRESS = 3
    settings.CLIENTELA_TRUSTED_PROXIES = [PROXY]
    return settings


def _from(address: str) -> Client:
    """A browser whose requests reach Clientela through the proxy."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


@pytest.mark.usefixtures("behind_proxy")
def test_behind_a_trusted_proxy_one_attacker_does_not_lock_out_everyone(admin: User) -> None:
    attacker = _from("198.51.100.66")
    for n in range(3):
        _sign_in(attacker, f"guess{n}@example.com", "wrong")

    blocked = _sign_in(attacker, "guess9@example.com", "wrong")
    colleague = _sign_in(_from("203.0.113.5"), admin.email, factories.PASSWORD)

    assert blocked.status_code == 429
    assert colleague.status_code == 302


def test_without_trusting_the_proxy_everyone_behind_it_shares_one_address(
    admin: User, behind_proxy: Settings
) -> None:
    behind_proxy.CLIENTELA_TRUSTED_PROXIES = []
    attacker = _from("198.51.100.66")
    for n in range(3):
        _sign_in(attacker, f"guess{n}@example.com", "wrong")

    colleague = _sign_in(_from("203.0.113.5"), admin.email, factories.PASSWORD)

    assert colleague.status_code == 429  # the audit's finding, when the proxy is not declared


@pytest.mark.usefixtures("behind_proxy")
def test_a_client_cannot_dodge_the_throttle_by_forging_the_forwarded_header(
    admin: User,
) -> None:
    statuses = [
        _sign_in(
            Client(REMOTE_ADDR="198.51.100.66", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"),
            f"guess{n}@example.com",
            "wrong",
        ).status_code
        for n in range(4)
    ]

    assert statuses == [401, 401, 401, 429]


def test_an_admin_already_signed_in_goes_straight_to_the_admin(
    admin: User, web_client: Any
) -> None:
    response = web_client(admin).get("/admin/login/?next=/admin/accounts/user/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/accounts/user/"
