"""The quick "log an interaction" form of the party page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from clientela.accounts.models import Role, User
from clientela.interactions.models import Interaction
from tests import factories

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]


def call(party_id: int, **overrides: str) -> dict[str, str]:
    data = {
        "party_id": str(party_id),
        "channel": "phone",
        "direction": "inbound",
        "occurred_at": "2024-05-02T10:30",
        "subject": "Asked about the invoice",
        "notes": "Will pay on Friday.",
        "outcome": "Promised to pay",
    }
    data.update(overrides)
    return data


def test_an_htmx_post_logs_the_call_and_returns_the_timeline_entry(
    sales_a: User, web_client: WebClient
) -> None:
    party = factories.make_party(owner=sales_a, team=sales_a.team)

    response = web_client(sales_a).post(
        "/interactions/new/", call(party.pk), HTTP_HX_REQUEST="true"
    )

    body = response.content.decode()
    interaction = Interaction.objects.get()
    assert response.status_code == 201
    assert "<html" not in body
    assert '<li class="entry entry-interaction entry-new"' in body
    assert "Asked about the invoice" in body
    assert 'hx-swap-oob="true"' in body  # a fresh form replaces the filled one
    assert (interaction.party, interaction.channel, interaction.staff) == (party, "phone", sales_a)
    assert interaction.occurred_at == factories.aware(2024, 5, 2, 10).replace(minute=30)


def test_a_plain_post_logs_the_call_and_goes_back_to_the_party(
    admin: User, web_client: WebClient
) -> None:
    party = factories.make_party()

    response = web_client(admin).post("/interactions/new/", call(party.pk, occurred_at=""))

    assert response.status_code == 302
    assert response["Location"] == f"/parties/{party.pk}/#timeline"
    assert Interaction.objects.filter(party=party, subject="Asked about the invoice").exists()


def test_an_unknown_channel_is_shown_next_to_its_field_and_nothing_is_saved(
    admin: User, web_client: WebClient
) -> None:
    party = factories.make_party()

    response = web_client(admin).post(
        "/interactions/new/", call(party.pk, channel="pigeon"), HTTP_HX_REQUEST="true"
    )

    body = response.content.decode()
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#log-form"
    assert 'id="log-channel-error"' in body
    assert "pigeon" in body
    assert not Interaction.objects.exists()


def test_a_bad_date_without_js_gets_a_page_with_the_error(
    admin: User, web_client: WebClient
) -> None:
    party = factories.make_party()

    response = web_client(admin).post("/interactions/new/", call(party.pk, occurred_at="soon"))

    body = response.content.decode()
    assert response.status_code == 422
    assert "<html" in body
    assert 'id="log-when-error"' in body
    assert 'value="Asked about the invoice"' in body  # what was typed is kept
    assert not Interaction.objects.exists()


def test_a_viewer_cannot_log_an_interaction(viewer: User, web_client: WebClient) -> None:
    party = factories.make_party()

    response = web_client(viewer).post("/interactions/new/", call(party.pk))

    assert response.status_code == 403
    assert not Interaction.objects.exists()


def test_a_sales_user_of_another_team_gets_404(
    sales_a: User, sales_b: User, web_client: WebClient
) -> None:
    party = factories.make_party(owner=sales_a, team=sales_a.team)

    response = web_client(sales_b).post("/interactions/new/", call(party.pk))

    assert response.status_code == 404
    assert not Interaction.objects.exists()


def test_logging_without_the_csrf_token_is_refused(admin: User) -> None:
    party = factories.make_party()
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)

    response = client.post("/interactions/new/", call(party.pk), HTTP_HX_REQUEST="true")

    assert response.status_code == 403
    assert not Interaction.objects.exists()


def test_the_logged_call_appears_on_the_party_timeline(admin: User, web_client: WebClient) -> None:
    party = factories.make_party()
    client = web_client(admin)

    client.post("/interactions/new/", call(party.pk, subject="Called about delivery"))

    assert "Called about delivery" in client.get(f"/parties/{party.pk}/").content.decode()


def test_a_party_id_that_is_not_a_number_is_not_found(admin: User, web_client: WebClient) -> None:
    response = web_client(admin).post("/interactions/new/", {**call(0), "party_id": "abc"})

    assert response.status_code == 404
    assert not Interaction.objects.exists()


def test_an_unknown_channel_is_explained_in_the_users_language(web_client: WebClient) -> None:
    user = factories.make_user(role=Role.SALES, language="pt")
    party = factories.make_party(owner=user)

    response = web_client(user).post(
        "/interactions/new/", call(party.pk, channel="pigeon"), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 422
    assert "não é uma das opções permitidas (escreveu “pigeon”)" in response.content.decode()
