"""Django's admin: only admins reach it (others signed in get 403), it signs in through the
product's throttled page, and the timeline's interactions are shown read-only."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from clientela.accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]
INTERACTIONS = "/admin/interactions/interaction/"


def test_an_admin_reaches_the_admin(admin: User, web_client: WebClient) -> None:
    assert web_client(admin).get("/admin/").status_code == 200


@pytest.mark.parametrize("path", ["/admin/", INTERACTIONS, "/admin/login/?next=/admin/"])
def test_a_signed_in_non_admin_gets_403_not_a_second_sign_in_form(
    manager: User, web_client: WebClient, path: str
) -> None:
    response = web_client(manager).get(path)

    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()
    assert 'name="password"' not in response.content.decode()


def test_the_admin_signs_in_through_the_products_page() -> None:
    response = Client().get("/admin/", follow=True)

    assert [url for url, _status in response.redirect_chain] == [
        "/admin/login/?next=/admin/",
        "/sign-in/?next=%2Fadmin%2F",
    ]


def test_the_admins_own_sign_in_form_checks_no_password(admin: User) -> None:
    client = Client()

    response = client.post(
        "/admin/login/?next=/admin/", {"username": admin.email, "password": factories.PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2Fadmin%2F"
    assert client.get("/admin/").status_code == 302  # not signed in


def test_the_admin_sign_in_never_leads_to_another_site() -> None:
    response = Client().get("/admin/login/", {"next": "https://evil.example/"})

    assert response["Location"] == "/sign-in/?next=%2Fadmin%2F"


def test_interactions_are_listed_and_searched_in_the_admin(
    admin: User, web_client: WebClient
) -> None:
    party = factories.make_party(given_name="Lia")
    factories.make_interaction(party, subject="Asked for the catalogue")
    factories.make_interaction(party, subject="Complained about delivery")
    client = web_client(admin)

    listed = client.get(INTERACTIONS).content.decode()
    searched = client.get(INTERACTIONS, {"q": "catalogue"}).content.decode()

    assert "Asked for the catalogue" in listed
    assert "Complained about delivery" in listed
    assert "Asked for the catalogue" in searched
    assert "Complained about delivery" not in searched


def test_an_interaction_is_read_only_in_the_admin(admin: User, web_client: WebClient) -> None:
    interaction = factories.make_interaction(factories.make_party(), subject="As recorded")
    client = web_client(admin)
    page = f"{INTERACTIONS}{interaction.pk}/change/"

    shown = client.get(page)
    changed = client.post(page, {"subject": "Rewritten"})

    interaction.refresh_from_db()
    assert shown.status_code == 200
    assert 'name="_save"' not in shown.content.decode()
    assert changed.status_code == 403
    assert interaction.subject == "As recorded"
    assert client.get(f"{INTERACTIONS}add/").status_code == 403
    assert client.get(f"{INTERACTIONS}{interaction.pk}/delete/").status_code == 403
