"""A moment sent to the API is a date and a time, never a number read as a Unix timestamp.

Found by the schemathesis run: `"occurred_at": 0` logged an interaction on 1970-01-01.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.commerce.models import Order
from clientela.interactions.models import Interaction
from tests import factories
from tests.api.problems import assert_invalid

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(admin: User) -> Client:
    return factories.api_client(admin)


@pytest.mark.parametrize("moment", [0, 1700000000, 1.5, True])
def test_an_interaction_time_given_as_a_number_is_refused(client: Client, moment: Any) -> None:
    party = factories.make_party()
    body = {"party_id": party.pk, "channel": "phone", "direction": "inbound", "occurred_at": moment}
    response = client.post("/api/v1/interactions", body, content_type="application/json")
    error = assert_invalid(response, "occurred_at", moment)
    assert error["code"] == "datetime_type"
    assert not Interaction.objects.exists()


def test_an_order_time_given_as_a_number_is_refused(client: Client) -> None:
    party = factories.make_party()
    body = {
        "external_id": "O-1",
        "party_id": party.pk,
        "ordered_at": 0,
        "total": "10.00",
        "currency": "EUR",
    }
    response = client.post("/api/v1/orders", body, content_type="application/json")
    assert assert_invalid(response, "ordered_at", 0)["code"] == "datetime_type"
    assert not Order.objects.exists()


def test_a_written_moment_is_still_taken(client: Client) -> None:
    party = factories.make_party()
    body = {
        "party_id": party.pk,
        "channel": "phone",
        "direction": "inbound",
        "occurred_at": "2026-03-01T10:00:00+01:00",
        "subject": "Call",
    }
    response = client.post("/api/v1/interactions", body, content_type="application/json")
    assert response.status_code == 201
    assert Interaction.objects.get().occurred_at.isoformat() == "2026-03-01T09:00:00+00:00"
