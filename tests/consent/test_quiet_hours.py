"""Quiet hours are times on the customer's own clock (their time zone, summer time included), so a
time with a zone offset ("12:00:00+01:00") is refused with a 422 naming the field, through the API
and the preference centre, instead of a 500; the gate keeps working with what was saved before."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from clientela.accounts.models import User
from clientela.consent.models import Preferences
from clientela.consent.services import issue_token
from tests.api.problems import assert_invalid, send
from tests.factories import make_party

pytestmark = pytest.mark.django_db
ApiClient = Callable[[User], Client]
ZONED = ["12:00:00+01:00", "12:00Z", "23:30:00-03:30"]


@pytest.mark.parametrize("value", ZONED)
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
@pytest.mark.parametrize("field", ["quiet_start", "quiet_end"])
def test_a_quiet_hour_with_a_zone_offset_is_a_422_through_the_api(
    api_client: ApiClient, manager: User, value: str, method: str, field: str
) -> None:
    party = make_party(timezone="Europe/Lisbon")
    body = {"quiet_start": "21:00", "quiet_end": "08:00", field: value}
    response = send(api_client(manager), method, f"/api/v1/parties/{party.pk}/preferences", body)
    assert assert_invalid(response, field, value)["code"] == "time_with_offset"
    assert not Preferences.objects.exists()


@pytest.mark.parametrize("value", ZONED)
def test_a_quiet_hour_with_a_zone_offset_is_shown_on_the_preference_centre(value: str) -> None:
    party = make_party(email="ana@example.com")
    url = reverse("consent:preference_centre", args=[issue_token(party, purpose="preferences")])
    form = {"action": "save", "quiet_start": value, "quiet_end": "08:00"}
    response = Client().post(url, form)
    assert response.status_code == 422
    assert "without a time zone offset" in response.content.decode()
    assert not Preferences.objects.exists()


def test_a_quiet_hour_without_an_offset_is_saved(api_client: ApiClient, manager: User) -> None:
    party = make_party(timezone="Europe/Lisbon")
    body = {"quiet_start": "21:00:00", "quiet_end": "08:00"}
    response = send(api_client(manager), "PUT", f"/api/v1/parties/{party.pk}/preferences", body)
    assert response.status_code == 200, response.content
    assert (response.json()["quiet_start"], response.json()["quiet_end"]) == (
        "21:00:00",
        "08:00:00",
    )
