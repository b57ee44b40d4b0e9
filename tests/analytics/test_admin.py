"""The admin shows analytics' tables, read-only: each refresh rewrites them."""

from __future__ import annotations

from datetime import date

import pytest

from clientela.accounts.models import User
from clientela.analytics.models import CustomerMetrics, LifecycleChange, RefreshRun
from clientela.analytics.services.refresh import refresh_metrics
from tests.analytics.conftest import AS_OF, WebClient, buy
from tests.factories import make_party

pytestmark = pytest.mark.django_db


@pytest.fixture
def refreshed() -> None:
    """Two refreshes: a metrics row, a lifecycle change and two runs to show."""
    buy(make_party(), date(2024, 2, 1), date(2024, 3, 1))
    refresh_metrics(as_of=date(2024, 1, 1))
    refresh_metrics(as_of=AS_OF)


@pytest.mark.parametrize("model", ["customermetrics", "lifecyclechange", "refreshrun"])
def test_each_table_is_listed_for_an_admin(
    model: str, admin: User, web_client: WebClient, refreshed: None
) -> None:
    response = web_client(admin).get(f"/admin/analytics/{model}/")
    assert response.status_code == 200
    assert f'href="/admin/analytics/{model}/add/"' not in response.content.decode()


def test_a_row_is_shown_but_cannot_be_changed_or_deleted(
    admin: User, web_client: WebClient, refreshed: None
) -> None:
    client = web_client(admin)
    for model, row in (
        ("customermetrics", CustomerMetrics.objects.get().pk),
        ("lifecyclechange", LifecycleChange.objects.get().pk),
        ("refreshrun", RefreshRun.objects.latest().pk),
    ):
        assert client.get(f"/admin/analytics/{model}/{row}/change/").status_code == 200
        deleting = client.post(f"/admin/analytics/{model}/{row}/delete/", {"post": "yes"})
        assert deleting.status_code == 403
        assert client.get(f"/admin/analytics/{model}/add/").status_code == 403
    assert CustomerMetrics.objects.count() == 1


def test_the_admin_is_for_admins_only(manager: User, web_client: WebClient) -> None:
    response = web_client(manager).get("/admin/analytics/customermetrics/")
    assert response.status_code == 403
