"""Owners and teams named in a rule by an id no row can have (≥ 2**63, or below 1) are a 422
naming the value, through the API (preview, create) and the builder's preview, never a 500."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.segments.models import Segment
from tests.api.problems import assert_invalid, send
from tests.segments.helpers import cond

pytestmark = pytest.mark.django_db
ApiClient = Callable[[User], Client]
TOO_LARGE = [2**63, 2**64, 10**30, -(2**63) - 1]


@pytest.mark.parametrize("field", ["owner", "team"])
@pytest.mark.parametrize("value", TOO_LARGE)
@pytest.mark.parametrize("op", ["eq", "in"])
def test_an_owner_or_team_id_no_row_can_have_is_a_422(
    api_client: ApiClient, manager: User, field: str, value: int, op: str
) -> None:
    client = api_client(manager)
    rules = cond(field, op, [value] if op == "in" else value)
    shown = json.dumps([value]).replace(" ", "") if op == "in" else value
    for url, body in (
        ("/api/v1/segments/preview", {"rules": rules}),
        ("/api/v1/segments", {"name": "Big", "rules": rules}),
    ):
        error = assert_invalid(send(client, "POST", url, body), "rules.all.0.value", shown)
        assert error["code"] == "rule_reference_invalid"
    assert not Segment.objects.exists()


@pytest.mark.parametrize("field", ["owner", "team"])
def test_the_builder_preview_refuses_an_id_no_row_can_have(
    web_client: Callable[[User], Client], manager: User, field: str
) -> None:
    rules = cond(field, "eq", 2**63)
    response = web_client(manager).post(
        "/segments/preview/", {"rules": json.dumps(rules)}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "must be the id of a" in response.content.decode()


def test_the_largest_id_a_row_can_have_is_checked_like_any_other(
    api_client: ApiClient, manager: User
) -> None:
    rules = cond("owner", "eq", 2**63 - 1)
    response = send(api_client(manager), "POST", "/api/v1/segments/preview", {"rules": rules})
    assert assert_invalid(response, "rules.all.0.value")["code"] == "rule_reference_unknown"
