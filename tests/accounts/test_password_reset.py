"""Password resets by e-mail: asked for from the sign-in page, the same answer for every
address, throttled, a link that works once and dies with the user."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from clientela.accounts.models import AuditEntry, User
from clientela.accounts.services import set_user_active
from tests.consent.conftest import Inbox
from tests.factories import PASSWORD, make_user

from .mail import link_in

pytestmark = pytest.mark.django_db
NEW = "a brand new passphrase 2026"


def main(page: str) -> str:
    """The page's own content (the header holds a fresh CSRF token each time)."""
    return page[page.index("<main") : page.index("</main>")]


def ask(client: Client, email: str) -> str:
    response = client.post("/password/forgot/", {"email": email})
    assert response.status_code == 200
    return response.content.decode()


def test_the_sign_in_page_leads_to_the_reset_page(client: Client) -> None:
    assert 'href="/password/forgot/"' in client.get("/sign-in/").content.decode()


def test_a_forgotten_password_is_replaced_from_the_mailed_link(
    client: Client, smtp_inbox: Inbox, sales_a: User
) -> None:
    page = ask(client, "Sales.A@example.com")
    assert "a link to choose a new password is on its way" in page
    (mail,) = smtp_inbox.messages
    assert mail["To"] == "sales.a@example.com"
    path = link_in(mail, "/password/reset/").removeprefix("http://testserver")

    assert client.get(path).status_code == 200
    mismatch = client.post(path, {"password": NEW, "password_again": NEW + "x"})
    assert mismatch.status_code == 422
    weak = client.post(path, {"password": "123", "password_again": "123"})
    assert weak.status_code == 422
    assert "is not accepted" in weak.content.decode()
    done = client.post(path, {"password": NEW, "password_again": NEW})

    assert done.status_code == 302
    assert client.get("/").status_code == 200  # signed in
    sales_a.refresh_from_db()
    assert sales_a.check_password(NEW)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor) == ("user.password_reset", sales_a)
    # The link worked once: the password it was made for is gone.
    again = Client().get(path)
    assert again.status_code == 404
    assert "not valid any more" in again.content.decode()


def test_unknown_and_disabled_addresses_get_the_same_answer_and_no_mail(
    client: Client, smtp_inbox: Inbox, sales_a: User
) -> None:
    gone = make_user(email="gone@example.com")
    set_user_active(gone, active=False)
    known = ask(client, "sales.a@example.com")
    unknown = ask(client, "nobody@example.com")
    disabled = ask(client, "gone@example.com")
    assert main(known) == main(unknown) == main(disabled)
    assert [m["To"] for m in smtp_inbox.messages] == ["sales.a@example.com"]


def test_a_disabled_users_link_dies_with_the_user(
    client: Client, smtp_inbox: Inbox, sales_a: User
) -> None:
    ask(client, sales_a.email)
    path = link_in(smtp_inbox.messages[0], "/password/reset/").removeprefix("http://testserver")
    set_user_active(sales_a, active=False)
    assert client.post(path, {"password": NEW, "password_again": NEW}).status_code == 404
    sales_a.refresh_from_db()
    assert sales_a.check_password(PASSWORD)


def test_a_tampered_link_opens_nothing(client: Client, sales_a: User) -> None:
    assert client.get("/password/reset/MQ/not-a-token/").status_code == 404
    assert client.get("/password/reset/%F0%9F%98%80/x-y/").status_code == 404


def test_asking_too_often_is_throttled_for_known_and_unknown_addresses_alike(
    client: Client, smtp_inbox: Inbox, sales_a: User, settings: Settings
) -> None:
    settings.CLIENTELA_PASSWORD_RESET_MAX = 2
    for email in ("sales.a@example.com", "nobody@example.com"):
        ask(client, email)
        ask(client, email)
        refused = client.post("/password/forgot/", {"email": email})
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
    assert len(smtp_inbox.messages) == 2


def test_an_admin_sends_a_reset_link_from_the_users_page(
    admin: User, sales_a: User, smtp_inbox: Inbox
) -> None:
    client = Client()
    client.force_login(admin)
    response = client.post(f"/settings/users/{sales_a.pk}/", {"action": "reset"})
    assert response.status_code == 302
    assert [m["To"] for m in smtp_inbox.messages] == [sales_a.email]
    assert AuditEntry.objects.get().action == "user.password_reset_sent"
