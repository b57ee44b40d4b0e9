"""Interactions through /api/v1/interactions: an append-only log of every contact."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clientela.accounts.models import User
from clientela.interactions.models import AppendOnlyError, Interaction
from clientela.parties.models import Party
from tests.api.problems import assert_invalid, assert_problem, send, walk_pages
from tests.factories import aware, make_interaction, make_party

ApiClient = Callable[[User], Client]
URL = "/api/v1/interactions"


@pytest.fixture
def party(sales_a: User) -> Party:
    return make_party(owner=sales_a, team=sales_a.team)


def call(party: Party, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "party_id": party.pk,
        "channel": "toll_free",
        "direction": "inbound",
        "occurred_at": "2024-03-05T09:30:00+01:00",
        "subject": "Delivery late",
        "notes": "Called the toll-free line about order O-1.",
        "outcome": "Refund promised",
    }
    body.update(overrides)
    return body


@pytest.mark.django_db
def test_an_interaction_is_logged_with_the_caller_as_staff(
    sales_a: User, api_client: ApiClient, party: Party
) -> None:
    response = send(api_client(sales_a), "POST", URL, call(party))
    assert response.status_code == 201, response.content
    saved = Interaction.objects.get()
    assert (saved.party, saved.channel, saved.direction, saved.staff) == (
        party,
        "toll_free",
        "inbound",
        sales_a,
    )
    assert saved.occurred_at == aware(2024, 3, 5, 8).replace(minute=30)
    assert response.json()["outcome"] == "Refund promised"


@pytest.mark.django_db
def test_an_interaction_sent_again_with_its_external_id_is_not_logged_twice(
    sales_a: User, api_client: ApiClient, party: Party
) -> None:
    client = api_client(sales_a)
    first = send(client, "POST", URL, call(party, external_id="CALL-1"))
    again = send(client, "POST", URL, call(party, external_id="CALL-1"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Interaction.objects.count() == 1


@pytest.mark.django_db
def test_an_external_id_reused_for_a_different_interaction_is_a_conflict(
    sales_a: User, api_client: ApiClient, party: Party
) -> None:
    client = api_client(sales_a)
    send(client, "POST", URL, call(party, external_id="CALL-1"))
    response = send(client, "POST", URL, call(party, external_id="CALL-1", subject="Other"))
    body = assert_problem(response, 409)
    assert body["code"] == "interaction_external_id_taken"
    assert body["detail"] == "this external id is already used by a different interaction"
    assert Interaction.objects.count() == 1


@pytest.mark.django_db
def test_a_correction_points_at_what_it_corrects_and_the_original_stays(
    sales_a: User, api_client: ApiClient, party: Party
) -> None:
    original = make_interaction(party, subject="Wrong number noted")
    body = call(party, corrects_id=original.pk, subject="Number is +351 912 345 678")
    response = send(api_client(sales_a), "POST", URL, body)
    assert response.status_code == 201, response.content
    assert response.json()["corrects_id"] == original.pk
    original.refresh_from_db()
    assert original.subject == "Wrong number noted"
    assert list(original.corrections.values_list("pk", flat=True)) == [response.json()["id"]]


@pytest.mark.django_db
def test_a_correction_of_another_partys_interaction_is_refused(
    sales_a: User, api_client: ApiClient, party: Party
) -> None:
    elsewhere = make_interaction(make_party(owner=sales_a))
    response = send(api_client(sales_a), "POST", URL, call(party, corrects_id=elsewhere.pk))
    error = assert_invalid(response, "corrects_id", elsewhere.pk)
    assert error["code"] == "interaction_not_of_party"
    assert Interaction.objects.count() == 1


@pytest.mark.django_db
def test_an_interaction_cannot_be_changed(party: Party) -> None:
    interaction = make_interaction(party)
    interaction.subject = "rewritten"
    with pytest.raises(AppendOnlyError):
        interaction.save()
    assert Interaction.objects.get().subject == "Asked about delivery"


@pytest.mark.django_db
def test_an_interaction_cannot_be_deleted(party: Party) -> None:
    interaction = make_interaction(party)
    with pytest.raises(AppendOnlyError):
        interaction.delete()
    assert Interaction.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("channel", "telepathy", "enum"),
        ("direction", "sideways", "enum"),
        ("occurred_at", "2024-02-30T10:00:00Z", "datetime_from_date_parsing"),
        ("occurred_at", "2024-03-05T09:30:00", "datetime_without_offset"),
        ("occurred_at", "2999-01-01T00:00:00Z", "datetime_too_far_ahead"),
        ("party_id", "abc", "int_parsing"),
    ],
)
def test_bad_interaction_fields_are_refused_naming_field_value_and_rule(
    sales_a: User, api_client: ApiClient, party: Party, field: str, value: str, code: str
) -> None:
    response = send(api_client(sales_a), "POST", URL, call(party, **{field: value}))
    error = assert_invalid(response, field)
    assert value in str(error["value"]) or str(error["value"]) in value
    assert error["code"] == code
    assert not Interaction.objects.exists()


@pytest.mark.django_db
def test_a_time_without_offset_is_explained_with_the_time_sent(
    sales_a: User, api_client: ApiClient, party: Party
) -> None:
    body = call(party, occurred_at="2024-03-05T09:30:00")
    error = assert_invalid(send(api_client(sales_a), "POST", URL, body), "occurred_at")
    assert error["message"] == "2024-03-05T09:30:00 needs a time zone offset, such as Z or +01:00"


@pytest.mark.django_db
def test_interactions_are_listed_newest_first_and_filtered(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    late = make_interaction(party, occurred_at=aware(2024, 5, 1), channel="email")
    early = make_interaction(party, occurred_at=aware(2023, 5, 1), direction="outbound")
    other = make_interaction(make_party(), occurred_at=aware(2024, 1, 1))
    client = api_client(manager)

    def ids(**query: str | int) -> list[int]:
        response = client.get(URL, query)
        assert response.status_code == 200, response.content
        return [i["id"] for i in response.json()["items"]]

    assert ids() == [late.pk, other.pk, early.pk]
    assert ids(party_id=party.pk) == [late.pk, early.pk]
    assert ids(channel="email") == [late.pk]
    assert ids(direction="outbound") == [early.pk]


@pytest.mark.django_db
def test_interaction_pages_walk_every_entry_exactly_once(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    made = {make_interaction(party, occurred_at=aware(2024, 1, 1 + n % 3)).pk for n in range(13)}
    seen = [i["id"] for page in walk_pages(api_client(manager), URL, 4) for i in page]
    assert sorted(seen) == sorted(made)
    assert len(seen) == len(set(seen))


@pytest.mark.django_db
def test_listing_interactions_takes_a_fixed_number_of_queries(
    manager: User,
    api_client: ApiClient,
    party: Party,
    django_assert_max_num_queries: Callable[[int], CaptureQueriesContext],
) -> None:
    for n in range(30):
        make_interaction(party if n % 2 else make_party(), staff=manager)
    client = api_client(manager)
    with django_assert_max_num_queries(4):
        response = client.get(URL)
    assert len(response.json()["items"]) == 30


@pytest.mark.django_db
def test_a_party_id_too_large_for_the_database_is_refused_naming_it(
    sales_a: User, api_client: ApiClient, party: Party
) -> None:
    client = api_client(sales_a)
    sent = send(client, "POST", URL, call(party, party_id=2**70))
    assert assert_invalid(sent, "party_id", 2**70)["code"] == "less_than_equal"
    assert assert_invalid(client.get(URL, {"party_id": 2**70}), "party_id")["code"] == (
        "less_than_equal"
    )
    assert not Interaction.objects.exists()
