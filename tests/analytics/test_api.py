"""The analytics API: a party's metrics and the summary, over the parties the caller may see."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from clientela.accounts.models import User
from clientela.analytics.models import CustomerMetrics
from clientela.analytics.services.refresh import refresh_metrics
from clientela.parties.models import Party
from tests.analytics.conftest import AS_OF, ApiClient, Crowd, buy
from tests.factories import make_party

pytestmark = pytest.mark.django_db


def team_party(user: User, **fields: Any) -> Party:
    party = make_party(team=user.team, **fields)
    buy(party, date(2024, 2, 1), date(2024, 5, 1), total="40.00")
    return party


def test_a_party_s_metrics_come_back_with_every_figure(
    sales_a: User, api_client: ApiClient
) -> None:
    party = team_party(sales_a)
    refresh_metrics(as_of=AS_OF)
    response = api_client(sales_a).get(f"/api/v1/parties/{party.pk}/metrics")
    assert response.status_code == 200
    body = response.json()
    assert body["party_id"] == party.pk
    assert (body["occasions"], body["frequency"], body["monetary"]) == (2, 1, "80.00")
    assert body["lifecycle_state"] in {"active", "at_risk", "inactive", "lost"}
    assert body["horizon_days"] == 365


def test_a_sales_user_gets_404_for_another_team_s_party_metrics(
    sales_a: User, sales_b: User, api_client: ApiClient
) -> None:
    party = team_party(sales_b)
    refresh_metrics(as_of=AS_OF)
    response = api_client(sales_a).get(f"/api/v1/parties/{party.pk}/metrics")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_new_party_s_metrics_answer_200_with_what_is_known(
    admin: User, api_client: ApiClient
) -> None:
    party = make_party()
    response = api_client(admin).get(f"/api/v1/parties/{party.pk}/metrics")
    assert response.status_code == 200
    body = response.json()
    assert (body["party_id"], body["lifecycle_state"], body["occasions"]) == (
        party.pk,
        "potential",
        0,
    )
    assert (body["r_score"], body["rfm_segment"], body["p_alive"], body["clv"]) == (
        None,
        "",
        None,
        None,
    )
    assert body["clv_reason"]["code"] == "no_purchase"
    assert body["horizon_days"] == 365
    assert not CustomerMetrics.objects.exists()  # reading stores nothing


def test_a_customer_before_any_refresh_says_the_model_is_not_fitted(
    admin: User, api_client: ApiClient
) -> None:
    party = make_party()
    buy(party, date(2024, 2, 1), total="40.00")
    body = api_client(admin).get(f"/api/v1/parties/{party.pk}/metrics").json()
    assert (body["occasions"], body["monetary"], body["clv"]) == (1, "40.00", None)
    assert body["clv_reason"]["code"] == "not_fitted"


def test_the_clv_reason_comes_in_the_reader_s_language(admin: User, api_client: ApiClient) -> None:
    party = make_party()
    english = api_client(admin).get(f"/api/v1/parties/{party.pk}/metrics").json()
    portuguese = (
        api_client(admin)
        .get(f"/api/v1/parties/{party.pk}/metrics", HTTP_ACCEPT_LANGUAGE="pt")
        .json()
    )
    assert english["clv_reason"]["code"] == portuguese["clv_reason"]["code"] == "no_purchase"
    assert english["clv_reason"]["message"].startswith("no purchase yet")


def test_the_summary_counts_only_the_parties_the_user_may_see(
    sales_a: User, sales_b: User, admin: User, api_client: ApiClient
) -> None:
    team_party(sales_a)
    team_party(sales_b)
    team_party(sales_b)
    refresh_metrics(as_of=AS_OF)
    mine = api_client(sales_a).get("/api/v1/analytics/summary").json()
    everyone = api_client(admin).get("/api/v1/analytics/summary").json()
    assert (mine["customers"], everyone["customers"]) == (1, 3)
    assert mine["revenue"] == 80.0
    assert sum(sum(row) for row in everyone["rfm_grid"]) == 3
    assert set(everyone["lifecycle"]) >= {"potential", "new", "active", "lost"}


def test_the_summary_reports_the_share_of_revenue_from_repeat_customers(
    admin: User, api_client: ApiClient
) -> None:
    repeat = make_party()
    buy(repeat, date(2024, 2, 1), date(2024, 3, 1), total="30.00")
    once = make_party()
    buy(once, date(2024, 2, 1), total="40.00")
    refresh_metrics(as_of=AS_OF)
    body = api_client(admin).get("/api/v1/analytics/summary").json()
    assert body["repeat_customer_revenue_share"] == 0.6
    assert body["repeat_purchase_revenue_share"] == 0.3


def test_the_summary_needs_a_token(client: Client) -> None:
    assert client.get("/api/v1/analytics/summary").status_code == 401


def test_the_summary_takes_a_bounded_number_of_queries(
    admin: User,
    api_client: ApiClient,
    crowd: Crowd,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    crowd(15)
    refresh_metrics(as_of=AS_OF)
    client = api_client(admin)
    with django_assert_max_num_queries(12):
        assert client.get("/api/v1/analytics/summary").status_code == 200
