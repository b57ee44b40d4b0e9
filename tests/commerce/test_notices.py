"""Commerce tells the orders listeners whose orders changed: after the commit, once per
transaction, and never for a write that was rolled back (commerce.services.notices)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from clientela.accounts.models import User
from clientela.commerce.schemas import OrderCreate
from clientela.commerce.services import record_order
from clientela.core.registries import ORDERS_LISTENERS
from tests.factories import make_party

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heard() -> Iterator[list[frozenset[int]]]:
    """What a listener registered for the test hears (the real ones stay registered too)."""
    notices: list[frozenset[int]] = []
    ORDERS_LISTENERS["test"] = notices.append
    yield notices
    del ORDERS_LISTENERS["test"]


def order(party_id: int, external_id: str) -> OrderCreate:
    return OrderCreate.model_validate(
        {
            "external_id": external_id,
            "party_id": party_id,
            "ordered_at": "2024-05-01T10:00:00Z",
            "total": "10.00",
            "currency": "EUR",
        }
    )


def record_then_fail(payload: OrderCreate, admin: User) -> None:
    """Record an order in a transaction (or savepoint) that then fails."""
    with transaction.atomic():
        record_order(payload, by=admin)
        raise RuntimeError("the adapter fails after recording")


def test_the_listeners_hear_once_per_transaction_after_it_commits(
    admin: User, heard: list[frozenset[int]]
) -> None:
    one, two = make_party(), make_party()
    with transaction.atomic():
        record_order(order(one.pk, "A"), by=admin)
        record_order(order(two.pk, "B"), by=admin)
        assert heard == []  # not before the commit
    assert heard == [frozenset({one.pk, two.pk})]


def test_a_rolled_back_write_tells_nobody(admin: User, heard: list[frozenset[int]]) -> None:
    party = make_party()
    with pytest.raises(RuntimeError):
        record_then_fail(order(party.pk, "A"), admin)
    assert heard == []


def test_a_savepoint_rolled_back_keeps_its_parties_out(
    admin: User, heard: list[frozenset[int]]
) -> None:
    kept, dropped = make_party(), make_party()
    with transaction.atomic():
        with pytest.raises(RuntimeError):
            record_then_fail(order(dropped.pk, "DROPPED"), admin)
        record_order(order(kept.pk, "KEPT"), by=admin)
    assert heard == [frozenset({kept.pk})]


def test_the_same_order_sent_again_tells_nobody(admin: User, heard: list[frozenset[int]]) -> None:
    party = make_party()
    with transaction.atomic():
        record_order(order(party.pk, "A"), by=admin)
    with transaction.atomic():
        record_order(order(party.pk, "A"), by=admin)  # unchanged: nothing written
    assert heard == [frozenset({party.pk})]


def test_a_failing_listener_does_not_undo_the_order(
    admin: User, heard: list[frozenset[int]]
) -> None:
    def fails(party_ids: frozenset[int]) -> None:
        raise RuntimeError("listener bug")

    ORDERS_LISTENERS["0-fails"] = fails  # runs first, by name
    try:
        party = make_party()
        with transaction.atomic():
            record_order(order(party.pk, "A"), by=admin)
    finally:
        del ORDERS_LISTENERS["0-fails"]
    assert heard == [frozenset({party.pk})]  # the others are still told
    assert party.orders.count() == 1
