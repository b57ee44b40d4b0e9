"""A party's timeline through /api/v1/parties/{id}/timeline: interactions and orders merged."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clientela.accounts.models import User
from clientela.core.timeline import SOURCES
from clientela.parties.models import Party
from tests.api.problems import assert_invalid, assert_problem, walk_pages
from tests.factories import aware, make_interaction, make_order, make_party

ApiClient = Callable[[User], Client]


@pytest.fixture
def party(db: None) -> Party:
    return make_party()


def url(party: Party) -> str:
    return f"/api/v1/parties/{party.pk}/timeline"


def walk(client: Client, party: Party, limit: int, **query: object) -> list[tuple[str, int]]:
    pages = walk_pages(client, url(party), limit, **query)
    return [(e["kind"], e["id"]) for page in pages for e in page]


@pytest.mark.django_db
def test_the_timeline_merges_interactions_and_orders_newest_first(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    call = make_interaction(party, occurred_at=aware(2024, 3, 1), subject="Called us")
    order = make_order(party, ordered_at=aware(2024, 4, 1))
    visit = make_interaction(party, occurred_at=aware(2024, 2, 1), channel="face_to_face")
    make_interaction(make_party(), occurred_at=aware(2024, 3, 15))
    items = api_client(manager).get(url(party)).json()["items"]
    assert [(e["kind"], e["id"]) for e in items] == [
        ("order", order.pk),
        ("interaction", call.pk),
        ("interaction", visit.pk),
    ]
    assert items[1]["title"] == "Called us"
    assert items[0]["data"]["external_id"] == order.external_id


@pytest.mark.django_db
def test_the_timeline_is_filtered_by_kind_and_by_channel(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    email = make_interaction(party, channel="email")
    phone = make_interaction(party, channel="phone")
    order = make_order(party, channel="web")
    client = api_client(manager)

    def ids(**query: str | list[str]) -> set[tuple[str, int]]:
        response = client.get(url(party), query)
        assert response.status_code == 200, response.content
        return {(e["kind"], e["id"]) for e in response.json()["items"]}

    assert ids(kind="order") == {("order", order.pk)}
    assert ids(kind="interaction") == {("interaction", email.pk), ("interaction", phone.pk)}
    assert ids(channel="email") == {("interaction", email.pk)}
    assert ids(channel=["phone", "web"]) == {("interaction", phone.pk), ("order", order.pk)}


@pytest.mark.django_db
def test_an_unknown_timeline_kind_is_refused_naming_it(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    error = assert_invalid(api_client(manager).get(url(party), {"kind": "tweet"}), "kind", "tweet")
    assert error["code"] == "timeline_kind_unknown"
    assert error["message"].startswith("must be one of: ")
    assert "interaction" in error["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [1, 2, 3, 7])
def test_paging_across_both_kinds_with_equal_times_returns_each_entry_once(
    manager: User, api_client: ApiClient, party: Party, limit: int
) -> None:
    same = aware(2024, 1, 1)
    expected = set()
    for n in range(5):
        expected.add(("interaction", make_interaction(party, occurred_at=same).pk))
        expected.add(("order", make_order(party, ordered_at=same).pk))
        at = aware(2023, 12, 1 + n)
        expected.add(("interaction", make_interaction(party, occurred_at=at).pk))
    seen = walk(api_client(manager), party, limit)
    assert len(seen) == len(expected) == 15
    assert set(seen) == expected


@pytest.mark.django_db
def test_paging_a_filtered_timeline_keeps_the_filter(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    emails = {("interaction", make_interaction(party, channel="email").pk) for _ in range(5)}
    make_interaction(party, channel="phone")
    make_order(party)
    assert set(walk(api_client(manager), party, 2, channel="email")) == emails


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", ["junk", "WyJ4Il0", "WyJ4IiwieSIsMV0"])
def test_a_bad_timeline_cursor_is_refused_naming_the_cursor(
    manager: User, api_client: ApiClient, party: Party, cursor: str
) -> None:
    response = api_client(manager).get(url(party), {"cursor": cursor})
    assert_invalid(response, "cursor", cursor)


@pytest.mark.django_db
def test_a_cursor_with_the_wrong_values_is_refused_with_its_code(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    response = api_client(manager).get(url(party), {"cursor": "WyJ4IiwieSIsMV0"})
    assert assert_invalid(response, "cursor")["code"] == "cursor_invalid"


@pytest.mark.django_db
def test_the_timeline_of_a_party_the_reader_may_not_see_is_not_found(
    sales_a: User, api_client: ApiClient, party: Party
) -> None:
    response = api_client(sales_a).get(url(party))
    assert_problem(response, 404)


@pytest.mark.django_db
def test_a_correction_appears_on_the_timeline_beside_the_original(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    original = make_interaction(party, occurred_at=aware(2024, 1, 1))
    fix = make_interaction(party, occurred_at=aware(2024, 1, 2), corrects=original)
    items = api_client(manager).get(url(party)).json()["items"]
    assert [e["id"] for e in items] == [fix.pk, original.pk]
    assert items[0]["data"]["corrects_id"] == original.pk


@pytest.mark.django_db
def test_the_timeline_takes_a_fixed_number_of_queries(
    manager: User,
    api_client: ApiClient,
    party: Party,
    django_assert_max_num_queries: Callable[[int], CaptureQueriesContext],
) -> None:
    for n in range(30):
        make_interaction(party, staff=manager, occurred_at=aware(2024, 1, 1 + n % 28))
        make_order(party, ordered_at=aware(2024, 2, 1 + n % 28))
    client = api_client(manager)
    # token, its last-used mark, the party, then one query per feature that adds entries
    with django_assert_max_num_queries(3 + len(SOURCES)):
        response = client.get(url(party))
    assert len(response.json()["items"]) == 50
