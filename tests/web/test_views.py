"""Sign-in, the dashboard, the language switch and the error pages."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]


def test_pages_need_a_signed_in_user() -> None:
    response = Client().get("/parties/")

    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=/parties/")


def test_signing_in_goes_to_the_page_asked_for(admin: User) -> None:
    response = Client().post(
        "/sign-in/?next=/parties/",
        {"email": "ADMIN@example.com", "password": factories.PASSWORD, "next": "/parties/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/parties/"


def test_signing_in_never_redirects_to_another_site(admin: User) -> None:
    response = Client().post(
        "/sign-in/",
        {"email": admin.email, "password": factories.PASSWORD, "next": "https://evil.example/"},
    )

    assert response["Location"] == "/"


def test_a_wrong_password_gets_one_answer_for_every_cause(admin: User) -> None:
    response = Client().post("/sign-in/", {"email": admin.email, "password": "wrong"})

    assert response.status_code == 401
    assert "E-mail or password is not right" in response.content.decode()


def test_sign_in_is_throttled_after_repeated_failures(admin: User, settings: Settings) -> None:
    settings.CLIENTELA_SIGNIN_MAX_FAILURES = 2
    client = Client()
    for _ in range(2):
        client.post("/sign-in/", {"email": admin.email, "password": "wrong"})

    response = client.post("/sign-in/", {"email": admin.email, "password": factories.PASSWORD})

    assert response.status_code == 429
    assert client.get("/").status_code == 302  # not signed in


def test_the_sign_in_form_needs_its_csrf_token() -> None:
    response = Client(enforce_csrf_checks=True).post(
        "/sign-in/", {"email": "a@example.com", "password": "x"}
    )

    assert response.status_code == 403


def test_signing_out_ends_the_session(admin: User, web_client: WebClient) -> None:
    client = web_client(admin)

    client.post("/sign-out/")

    assert client.get("/").status_code == 302


def test_the_dashboard_counts_visible_parties_by_role(sales_a: User, web_client: WebClient) -> None:
    factories.make_party(owner=sales_a, team=sales_a.team, roles=("customer", "partner"))
    factories.make_party(team=sales_a.team, roles=("customer",))
    factories.make_party(roles=("supplier",))  # another team's

    body = web_client(sales_a).get("/").content.decode()

    assert "You can see 2 parties." in body
    assert 'href="/parties/?role=customer"><span class="stat-value">2</span>' in body
    assert "role=supplier" not in body


def test_the_dashboard_lists_recent_interactions_and_my_parties(
    sales_a: User, web_client: WebClient
) -> None:
    mine = factories.make_party(given_name="Owned", owner=sales_a, team=sales_a.team)
    factories.make_interaction(mine, subject="Wants a demo")
    hidden = factories.make_party(given_name="Elsewhere")
    factories.make_interaction(hidden, subject="Secret talk")

    body = web_client(sales_a).get("/").content.decode()

    assert "Wants a demo" in body
    assert mine.display_name in body
    assert "Secret talk" not in body


def test_the_dashboard_runs_a_bounded_number_of_queries(
    admin: User,
    web_client: WebClient,
    django_assert_max_num_queries: Callable[[int], CaptureQueriesContext],
) -> None:
    for _ in range(15):
        party = factories.make_party(owner=admin)
        factories.make_interaction(party)
    client = web_client(admin)

    with django_assert_max_num_queries(10):
        client.get("/")


def test_choosing_portuguese_translates_the_pages(admin: User, web_client: WebClient) -> None:
    client = web_client(admin)

    response = client.post("/language/", {"language": "pt", "next": "/parties/"})

    admin.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == "/parties/"
    assert admin.language == "pt"
    body = client.get("/parties/").content.decode()
    assert '<html lang="pt">' in body
    assert "Nova pessoa" in body


def test_the_chosen_language_follows_the_user_to_a_new_session(admin: User) -> None:
    admin.language = "it"
    admin.save()
    client = Client()
    client.force_login(admin)

    body = client.get("/parties/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert '<html lang="it">' in body


def test_an_empty_language_follows_the_browser(admin: User, web_client: WebClient) -> None:
    client = web_client(admin)
    client.post("/language/", {"language": "pt", "next": "/"})

    client.post("/language/", {"language": "", "next": "/"})

    admin.refresh_from_db()
    assert admin.language == ""
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es">' in body


def test_an_unknown_language_falls_back_to_the_browser(admin: User, web_client: WebClient) -> None:
    web_client(admin).post("/language/", {"language": "xx", "next": "/"})

    admin.refresh_from_db()
    assert admin.language == ""


def test_the_language_switch_needs_its_csrf_token(admin: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)

    response = client.post("/language/", {"language": "pt"})

    admin.refresh_from_db()
    assert response.status_code == 403
    assert admin.language == ""


def test_errors_on_a_page_are_translated(admin: User, web_client: WebClient) -> None:
    admin.language = "pt"
    admin.save()

    response = web_client(admin).post(
        "/parties/new/",
        {
            "kind": "person",
            "given_name": "Ana",
            "contact_points-0-kind": "email",
            "contact_points-0-value": "nope",
        },
    )

    assert "não é um endereço de e-mail válido" in response.content.decode()


def test_pages_send_a_content_security_policy_without_inline_code(
    admin: User, web_client: WebClient
) -> None:
    response = web_client(admin).get("/parties/new/")

    body = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "<script>" not in body
    assert " style=" not in body
    assert "onclick" not in body


def test_the_not_found_page_is_a_product_page(admin: User, web_client: WebClient) -> None:
    response = web_client(admin).get("/parties/999999/")

    assert response.status_code == 404
    assert "Back to the dashboard" in response.content.decode()


def test_the_administration_link_is_shown_to_admins_and_the_audit_log_to_managers(
    admin: User, manager: User, viewer: User, web_client: WebClient
) -> None:
    for_admin = web_client(admin).get("/").content.decode()
    for_manager = web_client(manager).get("/").content.decode()
    for_viewer = web_client(viewer).get("/").content.decode()
    assert 'href="/settings/users/"' in for_admin
    assert 'href="/settings/users/"' not in for_manager + for_viewer
    assert 'href="/settings/audit/"' in for_manager
    assert 'href="/settings/audit/"' not in for_viewer
    # The database admin (Django's) is one click further, on the settings pages, for admins.
    assert 'href="/admin/"' in web_client(admin).get("/settings/users/").content.decode()
    assert web_client(manager).get("/settings/users/").status_code == 403
