"""The analytics dashboard and a party's metrics panel: what they show, and to whom."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.analytics.services.refresh import refresh_metrics
from tests.analytics.conftest import AS_OF, Crowd, WebClient, buy
from tests.factories import make_party

pytestmark = pytest.mark.django_db
ROLES = ["admin", "manager", "viewer", "sales_a"]


@pytest.mark.parametrize("role", ROLES)
def test_the_dashboard_renders_for_each_role(
    role: str, request: pytest.FixtureRequest, web_client: WebClient, crowd: Crowd
) -> None:
    user = request.getfixturevalue(role)
    crowd(25)
    refresh_metrics(as_of=date(2024, 11, 30))
    refresh_metrics(as_of=AS_OF)
    response = web_client(user).get("/analytics/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Customer analytics" in html
    assert "<svg" in html
    assert " style=" not in html
    assert "<script" not in html.split("</head>")[1]


def test_a_sales_user_s_dashboard_shows_only_their_customers(
    sales_a: User, sales_b: User, web_client: WebClient
) -> None:
    theirs = make_party(team=sales_b.team, given_name="Zebedee")
    buy(theirs, date(2022, 1, 1), date(2022, 2, 1), total="9999.00")
    refresh_metrics(as_of=AS_OF)
    html = web_client(sales_a).get("/analytics/").content.decode()
    assert "Zebedee" not in html


def test_the_dashboard_lists_valuable_customers_who_are_slipping_away(
    admin: User, web_client: WebClient
) -> None:
    slipping = make_party(given_name="Gwendolyn")
    buy(slipping, date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1), total="900.00")
    refresh_metrics(as_of=date(2024, 5, 1))
    html = web_client(admin).get("/analytics/").content.decode()
    assert "Gwendolyn" in html


def test_the_dashboard_asks_for_a_sign_in(client: Client) -> None:
    response = client.get("/analytics/")
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_the_metrics_panel_explains_each_figure(admin: User, web_client: WebClient) -> None:
    party = make_party()
    buy(party, date(2024, 2, 1), date(2024, 3, 1))
    refresh_metrics(as_of=AS_OF)
    html = web_client(admin).get(f"/parties/{party.pk}/metrics-panel/").content.decode()
    for label in ("Recency", "Frequency", "Monetary value", "Probability alive", "Lifetime value"):
        assert label in html
    assert "refunded orders are left out" in html


def test_a_new_party_s_metrics_panel_shows_what_is_known(
    admin: User, web_client: WebClient
) -> None:
    party = make_party()
    html = web_client(admin).get(f"/parties/{party.pk}/metrics-panel/").content.decode()
    assert "No metrics yet" not in html
    assert "Potential" in html
    assert "no purchase yet: the value starts with the first order" in html


def test_the_metrics_panel_of_another_team_s_party_is_not_found(
    sales_a: User, sales_b: User, web_client: WebClient
) -> None:
    party = make_party(team=sales_b.team)
    refresh_metrics(as_of=AS_OF)
    assert web_client(sales_a).get(f"/parties/{party.pk}/metrics-panel/").status_code == 404
