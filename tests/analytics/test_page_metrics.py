"""The customer page reads a party's metrics once, for its header tiles and its "Value"
section alike: a new customer's metrics are computed, not stored, so twice would cost twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from clientela.accounts.models import Role, User
from clientela.analytics.models import CustomerMetrics
from clientela.analytics.services import freshness
from tests import factories


@pytest.mark.django_db
def test_the_customer_page_computes_a_new_customers_metrics_once(
    web_client: Callable[[User], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = factories.make_user(role=Role.ADMIN)
    party = factories.make_party()
    assert not CustomerMetrics.objects.filter(party=party).exists()
    computed = freshness.current_metrics
    calls: list[int] = []

    def counted(of: Any) -> CustomerMetrics:
        calls.append(of.pk)
        return computed(of)

    monkeypatch.setattr(freshness, "current_metrics", counted)
    page = web_client(reader).get(f"/parties/{party.pk}/?tab=value")
    assert page.status_code == 200
    assert calls == [party.pk]
