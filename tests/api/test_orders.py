"""Orders through /api/v1/orders: idempotent by external id, one at a time or as NDJSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

import pytest
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from clientela.accounts.models import User
from clientela.commerce.models import Order, OrderLine
from clientela.parties.models import Party
from tests.api.problems import assert_invalid, assert_problem, counts, send, walk_pages
from tests.factories import aware, make_order, make_party

if TYPE_CHECKING:  # the test client's response type exists in django-stubs only
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

ApiClient = Callable[[User], Client]
URL = "/api/v1/orders"
BULK = URL + "/bulk"


@pytest.fixture
def party(db: None) -> Party:
    return make_party(external_id="CUST-1")


def order(party: Party, external_id: str = "O-1", /, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "external_id": external_id,
        "party_id": party.pk,
        "ordered_at": "2024-05-01T10:00:00Z",
        "total": "59.80",
        "currency": "EUR",
        "channel": "web",
        "lines": [
            {"sku": "TEA-1", "product": "Green tea", "quantity": "2", "unit_price": "19.90"},
            {"product": "Teapot", "category": "kitchen", "quantity": 1, "unit_price": 20},
        ],
    }
    body.update(overrides)
    return body


def ndjson(*items: object) -> str:
    return "".join((i if isinstance(i, str) else json.dumps(i)) + "\n" for i in items)


def bulk(client: Client, text: str | bytes, query: str = "") -> HttpResponse:
    response = client.post(BULK + query, data=text, content_type="application/x-ndjson")
    # The test client's response is the view's HttpResponse; its stub type is a narrower base.
    return cast(HttpResponse, response)


def json_of(response: HttpResponse | TestResponse) -> Any:
    """The response's JSON body."""
    return json.loads(response.content)


@pytest.mark.django_db
def test_an_order_is_recorded_with_its_lines(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    response = send(api_client(manager), "POST", URL, order(party))
    assert response.status_code == 201, response.content
    saved = Order.objects.get()
    assert (saved.party, saved.total, saved.currency, saved.channel) == (
        party,
        Decimal("59.80"),
        "EUR",
        "web",
    )
    assert [(line.product, line.quantity) for line in saved.lines.all()] == [
        ("Green tea", Decimal("2")),
        ("Teapot", Decimal("1")),
    ]
    assert json_of(response)["lines"][0]["sku"] == "TEA-1"


@pytest.mark.django_db
def test_the_same_order_sent_again_answers_200_and_adds_nothing(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    client = api_client(manager)
    first = send(client, "POST", URL, order(party))
    again = send(client, "POST", URL, order(party))
    assert again.status_code == 200
    assert json_of(again) == json_of(first)
    assert counts(Order, OrderLine) == {"Order": 1, "OrderLine": 2}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"total": "60.00"},
        {"currency": "USD"},
        {"ordered_at": "2024-05-02T10:00:00Z"},
        {"status": "refunded"},
        {"lines": []},
    ],
)
def test_the_same_external_id_with_different_content_is_a_conflict(
    manager: User, api_client: ApiClient, party: Party, change: dict[str, object]
) -> None:
    client = api_client(manager)
    send(client, "POST", URL, order(party))
    response = send(client, "POST", URL, order(party, **change))
    body = assert_problem(response, 409)
    assert "O-1" in body["detail"]
    assert counts(Order, OrderLine) == {"Order": 1, "OrderLine": 2}
    assert Order.objects.get().total == Decimal("59.80")


@pytest.mark.django_db
def test_an_order_may_name_its_party_by_external_id(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    body = order(party)
    del body["party_id"]
    body["party_external_id"] = "CUST-1"
    response = send(api_client(manager), "POST", URL, body)
    assert response.status_code == 201, response.content
    assert json_of(response)["party_id"] == party.pk


@pytest.mark.django_db
def test_an_order_naming_no_party_or_both_is_refused(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    client = api_client(manager)
    neither = order(party)
    del neither["party_id"]
    assert_problem(send(client, "POST", URL, neither), 422)
    both = order(party, party_external_id="CUST-1")
    assert_problem(send(client, "POST", URL, both), 422)
    assert not Order.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("total", "-5.00"),
        ("total", "abc"),
        ("total", "1.999"),
        ("currency", "EUU"),
        ("currency", "euros"),
        ("ordered_at", "2024-13-01T10:00:00Z"),
        ("ordered_at", "2024-05-01T10:00:00"),
        ("status", "lost"),
        ("channel", "pigeon"),
    ],
)
def test_bad_order_fields_are_refused_naming_field_and_value(
    manager: User, api_client: ApiClient, party: Party, field: str, value: str
) -> None:
    response = send(api_client(manager), "POST", URL, order(party, **{field: value}))
    assert_invalid(response, field, value)
    assert counts(Order, OrderLine) == {"Order": 0, "OrderLine": 0}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"), [("unit_price", "-1"), ("unit_price", "ten"), ("quantity", "0")]
)
def test_bad_order_lines_are_refused_naming_the_line(
    manager: User, api_client: ApiClient, party: Party, field: str, value: str
) -> None:
    teapot = {"product": "Teapot", "category": "kitchen", "quantity": 1, "unit_price": 20}
    lines = [{"product": "Green tea", "quantity": "2", "unit_price": "19.90"}, teapot]
    teapot[field] = value
    response = send(api_client(manager), "POST", URL, order(party, lines=lines))
    assert_invalid(response, f"lines.1.{field}", value)
    assert counts(Order, OrderLine) == {"Order": 0, "OrderLine": 0}


@pytest.mark.django_db
def test_a_lower_case_currency_is_accepted_in_capitals(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    response = send(api_client(manager), "POST", URL, order(party, currency="eur"))
    assert response.status_code == 201, response.content
    assert Order.objects.get().currency == "EUR"


@pytest.mark.django_db
def test_orders_are_listed_newest_first_and_filtered_by_party_and_status(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    new = make_order(party, ordered_at=aware(2024, 1, 1), status="refunded")
    other = make_order(make_party(), ordered_at=aware(2024, 6, 1))
    old = make_order(party, ordered_at=aware(2023, 1, 1))  # recorded late: sorted by date
    client = api_client(manager)
    assert [o["id"] for o in client.get(URL).json()["items"]] == [other.pk, new.pk, old.pk]
    by_party = client.get(URL, {"party_id": party.pk}).json()["items"]
    assert [o["id"] for o in by_party] == [new.pk, old.pk]
    refunded = client.get(URL, {"status": "refunded"}).json()["items"]
    assert [o["id"] for o in refunded] == [new.pk]


@pytest.mark.django_db
def test_order_list_pages_walk_every_order_exactly_once_even_with_equal_times(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    moments = [aware(2024, 1, 1), aware(2024, 1, 1), aware(2023, 1, 1), aware(2024, 1, 1)] * 3
    made = [make_order(party, ordered_at=at).pk for at in moments]
    seen = [o["id"] for page in walk_pages(api_client(manager), URL, 5) for o in page]
    assert sorted(seen) == sorted(made)
    assert len(seen) == len(set(seen))


@pytest.mark.django_db
def test_listing_orders_takes_a_fixed_number_of_queries(
    manager: User,
    api_client: ApiClient,
    party: Party,
    django_assert_max_num_queries: Callable[[int], CaptureQueriesContext],
) -> None:
    for n in range(30):
        made = make_order(make_party() if n % 2 else party)
        OrderLine.objects.create(order=made, product="Tea", quantity=1, unit_price=2)
    client = api_client(manager)
    with django_assert_max_num_queries(5):
        response = client.get(URL)
    assert len(response.json()["items"]) == 30


@pytest.mark.django_db
def test_an_order_for_a_party_id_too_large_for_the_database_is_refused_naming_it(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    client = api_client(manager)
    sent = send(client, "POST", URL, order(party, party_id=2**70))
    assert assert_invalid(sent, "party_id", 2**70)["code"] == "less_than_equal"
    listed = cast(HttpResponse, client.get(URL, {"party_id": 2**70}))
    assert assert_invalid(listed, "party_id")["code"] == "less_than_equal"
    result = bulk(client, ndjson(order(party, party_id=2**70)), "?skip_invalid=true")
    assert json_of(result)["rejected"] == 1
    assert json_of(result)["errors"][0]["code"] == "less_than_equal"
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_a_changed_order_is_a_409_with_its_code_and_what_changed(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    client = api_client(manager)
    send(client, "POST", URL, order(party))
    response = send(client, "POST", URL, order(party, status="refunded", channel="store"))
    problem = assert_problem(response, 409)
    assert problem["code"] == "order_external_id_conflict"
    assert "it differs in status, channel" in problem["detail"]
    error = problem["errors"][0]
    assert (error["field"], error["value"], error["code"]) == (
        "external_id",
        "O-1",
        "order_external_id_conflict",
    )
    assert error["params"] == {"external_id": "O-1", "changed": "status, channel"}


@pytest.mark.django_db
def test_an_order_sent_again_without_its_lines_is_the_same_order(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    client = api_client(manager)
    first = send(client, "POST", URL, order(party))
    without_lines = order(party)
    del without_lines["lines"]
    again = send(client, "POST", URL, without_lines)
    assert again.status_code == 200
    assert json_of(again) == json_of(first)
    assert counts(Order, OrderLine) == {"Order": 1, "OrderLine": 2}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("total", "-5.00", "amount_negative"),
        ("total", "abc", "amount_not_a_number"),
        ("total", "NaN", "amount_not_finite"),
        ("total", "1.999", "amount_too_many_decimals"),
        ("total", "1e30", "amount_too_large"),
        ("currency", "EUU", "currency_invalid"),
        ("ordered_at", "2024-05-01T10:00:00", "datetime_without_offset"),
        ("status", "lost", "enum"),
    ],
)
def test_bad_order_fields_carry_a_code(
    manager: User, api_client: ApiClient, party: Party, field: str, value: str, code: str
) -> None:
    response = send(api_client(manager), "POST", URL, order(party, **{field: value}))
    assert assert_invalid(response, field, value)["code"] == code


@pytest.mark.django_db
def test_an_order_naming_no_party_or_an_unseen_one_carries_a_code(
    sales_a: User, api_client: ApiClient, party: Party
) -> None:
    client = api_client(sales_a)
    neither = order(party)
    del neither["party_id"]
    assert assert_invalid(send(client, "POST", URL, neither), "body")["code"] == (
        "order_party_reference"
    )
    unseen = assert_problem(send(client, "POST", URL, order(party)), 404)
    assert unseen["code"] == "party_not_found"
    assert unseen["errors"][0]["code"] == "party_not_visible"
