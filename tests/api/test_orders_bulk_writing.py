"""orders/bulk under load: a documented size limit, every line checked before anything is
written, then short transactions, and nothing left of a request that fails while writing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pytest_django.fixtures import Settings as SettingsWrapper

from clientela.accounts.models import User
from clientela.commerce.models import Order, OrderLine
from clientela.commerce.schemas import OrderCreate
from clientela.commerce.services import batches, record_order
from clientela.parties.models import Party
from tests.api.problems import assert_problem, counts
from tests.api.test_orders import ApiClient, bulk, json_of, ndjson, order
from tests.factories import make_party


@pytest.fixture
def party(db: None) -> Party:
    return make_party(external_id="CUST-1")


@pytest.fixture
def small_slices(settings: SettingsWrapper) -> None:
    """Slices of the least size and no pause: a bulk of a few hundred lines takes many."""
    settings.CLIENTELA_WRITE_SLICE_SECONDS = 1e-9
    settings.CLIENTELA_WRITE_YIELD_SECONDS = 0


@pytest.mark.django_db
def test_a_body_over_the_byte_limit_is_refused_with_413_and_nothing_is_written(
    manager: User, api_client: ApiClient, party: Party, settings: SettingsWrapper
) -> None:
    settings.CLIENTELA_BULK_MAX_BYTES = 2000
    body = ndjson(*(order(party, f"B-{n}") for n in range(20)))
    assert len(body) > 2000
    problem = assert_problem(bulk(api_client(manager), body), 413)
    assert problem["code"] == "body_too_large"
    assert "2000" in problem["detail"]
    assert counts(Order, OrderLine) == {"Order": 0, "OrderLine": 0}


@pytest.mark.django_db
def test_more_lines_than_the_limit_are_refused_with_413(
    manager: User, api_client: ApiClient, party: Party, settings: SettingsWrapper
) -> None:
    settings.CLIENTELA_BULK_MAX_LINES = 5
    body = ndjson(*(order(party, f"B-{n}", lines=[]) for n in range(6)))
    problem = assert_problem(bulk(api_client(manager), body), 413)
    assert problem["code"] == "too_many_lines"
    assert not Order.objects.exists()
    assert (
        bulk(api_client(manager), ndjson(*(order(party, f"B-{n}") for n in range(5)))).status_code
        == 200
    )


@pytest.mark.django_db(transaction=True)
def test_a_bulk_that_fails_while_writing_takes_back_the_slices_it_had_written(
    manager: User,
    api_client: ApiClient,
    party: Party,
    small_slices: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = batches.insert_orders  # type: ignore[attr-defined]  # the name the module writes with
    calls: list[int] = []

    def fail_on_the_third_slice(rows: Any) -> Any:
        calls.append(len(rows))
        if len(calls) == 3:
            raise RuntimeError("the disk is full")
        return real(rows)

    monkeypatch.setattr(batches, "insert_orders", fail_on_the_third_slice)
    body = ndjson(*(order(party, f"B-{n}") for n in range(700)))
    with pytest.raises(RuntimeError, match="the disk is full"):
        bulk(api_client(manager), body)
    assert calls[:2] == [500, 50]  # two slices were committed before the failure
    assert counts(Order, OrderLine) == {"Order": 0, "OrderLine": 0}


@pytest.mark.django_db(transaction=True)
def test_orders_a_failed_bulk_had_replaced_get_their_content_back(
    manager: User,
    api_client: ApiClient,
    party: Party,
    small_slices: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = api_client(manager)
    assert bulk(client, ndjson(*(order(party, f"B-{n}") for n in range(60)))).status_code == 200
    real = batches.replace_order  # type: ignore[attr-defined]  # the name the module writes with
    replaced: list[int] = []

    def fail_after_fifty(pk: int, new: OrderCreate, party_id: int) -> None:
        replaced.append(pk)
        if len(replaced) > 50:  # the first slice of replacements was committed
            raise RuntimeError("the disk is full")
        real(pk, new, party_id)

    monkeypatch.setattr(batches, "replace_order", fail_after_fifty)
    changed = ndjson(*(order(party, f"B-{n}", total="70.00", lines=[]) for n in range(60)))
    with pytest.raises(RuntimeError):
        bulk(client, changed, "?upsert=true")
    assert set(Order.objects.values_list("total", flat=True)) == {Decimal("59.80")}
    assert OrderLine.objects.count() == 120


@pytest.mark.django_db
def test_an_order_another_request_wrote_meanwhile_with_other_content_stops_the_bulk(
    manager: User, api_client: ApiClient, party: Party, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = batches._write_all

    def another_request_first(*args: Any) -> None:
        record_order(OrderCreate.model_validate(order(party, "B-2", total="1.00")), by=manager)
        real(*args)

    monkeypatch.setattr(batches, "_write_all", another_request_first)
    body = ndjson(*(order(party, f"B-{n}") for n in range(4)))
    problem = assert_problem(bulk(api_client(manager), body), 409)
    assert problem["code"] == "orders_bulk_conflict_while_writing"
    assert problem["errors"][0]["value"] == "B-2"
    assert list(Order.objects.values_list("external_id", "total")) == [("B-2", Decimal("1.00"))]


@pytest.mark.django_db
def test_the_same_order_written_meanwhile_by_another_request_counts_unchanged(
    manager: User, api_client: ApiClient, party: Party, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = batches._write_all

    def another_request_first(*args: Any) -> None:
        record_order(OrderCreate.model_validate(order(party, "B-2")), by=manager)
        real(*args)

    monkeypatch.setattr(batches, "_write_all", another_request_first)
    response = bulk(api_client(manager), ndjson(*(order(party, f"B-{n}") for n in range(4))))
    assert json_of(response)["created"] == 3
    assert json_of(response)["unchanged"] == 1
    assert Order.objects.count() == 4
