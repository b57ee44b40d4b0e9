"""Orders as NDJSON through /api/v1/orders/bulk: idempotent, all-or-nothing unless asked, and
with upsert the changed orders replaced."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test.utils import CaptureQueriesContext

from clientela.accounts.models import User
from clientela.commerce.models import Order, OrderLine
from clientela.parties.models import Party
from tests.api.problems import assert_problem, counts
from tests.api.test_orders import ApiClient, bulk, json_of, ndjson, order
from tests.factories import make_party


@pytest.fixture
def party(db: None) -> Party:
    return make_party(external_id="CUST-1")


@pytest.mark.django_db
def test_bulk_orders_are_recorded_and_sending_them_again_changes_nothing(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    client = api_client(manager)
    body = ndjson(
        order(party, "B-1"), order(party, "B-2", party_id=None, party_external_id="CUST-1")
    )
    first = bulk(client, body)
    assert first.status_code == 200, first.content
    assert json_of(first) == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "errors": [],
    }
    second = bulk(client, body)
    assert json_of(second) == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "rejected": 0,
        "errors": [],
    }
    assert counts(Order, OrderLine) == {"Order": 2, "OrderLine": 4}


@pytest.mark.django_db
def test_one_bad_line_refuses_the_whole_bulk_and_names_its_line_number(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    body = ndjson(
        order(party, "B-1"),
        order(party, "B-2", total="-3"),
        order(party, "B-3"),
        order(party, "B-4", currency="XXX1"),
    )
    response = bulk(api_client(manager), body)
    problem = assert_problem(response, 422)
    assert [(e["line"], e["field"], e["value"]) for e in problem["errors"]] == [
        (2, "total", "-3"),
        (4, "currency", "XXX1"),
    ]
    assert "nothing was written" in problem["detail"]
    assert counts(Order, OrderLine) == {"Order": 0, "OrderLine": 0}


@pytest.mark.django_db
def test_skip_invalid_writes_the_good_lines_and_reports_the_rejected_ones(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    body = ndjson(
        order(party, "B-1"),
        "{not json",
        order(party, "B-3", party_id=987654),
        "",
        order(party, "B-5"),
        "[1, 2]",
    )
    response = bulk(api_client(manager), body, "?skip_invalid=true")
    assert response.status_code == 200, response.content
    result = json_of(response)
    assert (result["created"], result["unchanged"], result["rejected"]) == (2, 0, 3)
    assert [(e["line"], e["field"]) for e in result["errors"]] == [
        (2, "body"),
        (3, "party_id"),
        (6, "body"),
    ]
    assert result["errors"][1]["value"] == 987654
    assert all(e["message"] for e in result["errors"])
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["B-1", "B-5"]


@pytest.mark.django_db
def test_a_malformed_json_line_is_reported_with_its_number(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    response = bulk(api_client(manager), ndjson(order(party, "B-1"), '{"external_id": '))
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["line"] == 2
    assert "JSON" in problem["errors"][0]["message"]
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_a_body_that_is_not_utf8_is_refused_naming_the_line(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    raw = ndjson(order(party, "B-1")).encode() + b'{"external_id": "caf\xe9"}\n'
    problem = assert_problem(bulk(api_client(manager), raw), 422)
    assert problem["errors"][0]["line"] == 2
    assert "UTF-8" in problem["errors"][0]["message"]
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_one_external_id_twice_in_a_bulk_with_different_content_is_refused(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    body = ndjson(order(party, "B-1"), order(party, "B-1", total="1.00"))
    problem = assert_problem(bulk(api_client(manager), body), 422)
    assert [(e["line"], e["field"]) for e in problem["errors"]] == [(2, "external_id")]
    assert not Order.objects.exists()


@pytest.mark.django_db
def test_a_bulk_takes_a_fixed_number_of_queries_whatever_its_size(
    manager: User,
    api_client: ApiClient,
    party: Party,
    django_assert_max_num_queries: Callable[[int], CaptureQueriesContext],
) -> None:
    client = api_client(manager)
    body = ndjson(*(order(party, f"B-{n}") for n in range(30)))
    with django_assert_max_num_queries(12):
        response = bulk(client, body)
    assert json_of(response)["created"] == 30


@pytest.mark.django_db
def test_bulk_with_upsert_replaces_a_changed_order_and_counts_it_updated(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    client = api_client(manager)
    bulk(client, ndjson(order(party, "B-1"), order(party, "B-2")))
    tea = {"sku": "TEA-1", "product": "Green tea", "quantity": "2", "unit_price": "19.90"}
    refund = order(party, "B-1", status="refunded", lines=[tea])
    response = bulk(
        client, ndjson(refund, order(party, "B-2"), order(party, "B-3")), "?upsert=true"
    )
    assert response.status_code == 200, response.content
    assert json_of(response) == {
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "rejected": 0,
        "errors": [],
    }
    replaced = Order.objects.get(external_id="B-1")
    assert replaced.status == "refunded"
    assert list(replaced.lines.values_list("product", flat=True)) == ["Green tea"]
    assert counts(Order, OrderLine) == {"Order": 3, "OrderLine": 5}


@pytest.mark.django_db
def test_bulk_without_upsert_reports_a_changed_order_as_a_conflict_per_line(
    manager: User, api_client: ApiClient, party: Party
) -> None:
    client = api_client(manager)
    bulk(client, ndjson(order(party, "B-1")))
    body = ndjson(order(party, "B-2"), order(party, "B-1", status="refunded"))
    response = bulk(client, body, "?skip_invalid=true")
    result = json_of(response)
    assert (result["created"], result["updated"], result["rejected"]) == (1, 0, 1)
    assert [(e["line"], e["field"], e["code"]) for e in result["errors"]] == [
        (2, "external_id", "order_external_id_conflict")
    ]
    assert Order.objects.get(external_id="B-1").status == "completed"


@pytest.mark.django_db
def test_bulk_upsert_never_replaces_an_order_of_a_party_the_user_cannot_see(
    sales_a: User, sales_b: User, api_client: ApiClient
) -> None:
    theirs = make_party(team=sales_b.team)
    mine = make_party(team=sales_a.team)
    bulk(api_client(sales_b), ndjson(order(theirs, "B-1")))
    response = bulk(
        api_client(sales_a), ndjson(order(mine, "B-1", status="refunded")), "?upsert=true"
    )
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["code"] == "value_unavailable"  # their order is not revealed
    assert (Order.objects.get().party, Order.objects.get().status) == (theirs, "completed")


@pytest.mark.django_db
def test_bulk_line_problems_carry_codes(manager: User, api_client: ApiClient, party: Party) -> None:
    raw = b'{"external_id": "caf\xe9"}\n{not json\n[1]\n'
    problem = assert_problem(bulk(api_client(manager), raw), 422)
    assert problem["code"] == "orders_bulk_invalid"
    assert problem["detail"] == "3 invalid line(s) (1, 2, 3); nothing was written"
    assert [e["code"] for e in problem["errors"]] == [
        "ndjson_not_utf8",
        "ndjson_not_json",
        "ndjson_not_object",
    ]
