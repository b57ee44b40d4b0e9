"""The one rule of "is this the same order?", and the bulk writer behind commerce.services."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection

from clientela.accounts.models import User
from clientela.commerce.bulk import BulkOrders
from clientela.commerce.models import Order
from clientela.commerce.services import (
    CheckedOrder,
    OrderContent,
    StoredRow,
    Written,
    changed_fields,
    open_order_writer,
)
from clientela.core.errors import Forbidden
from tests.factories import make_order, make_party

AT = datetime(2024, 3, 1, 10, tzinfo=UTC)
STORED = OrderContent(
    1,
    AT,
    Decimal("9.90"),
    "EUR",
    "completed",
    "web",
    (("", "Tea", "", Decimal(1), Decimal("9.90")),),
)


def test_the_same_content_is_the_same_order_whatever_its_form() -> None:
    same = OrderContent(
        1,
        datetime.fromisoformat("2024-03-01T11:00:00+01:00"),
        Decimal("9.9"),
        "EUR",
        "completed",
        "web",
    )
    assert changed_fields(STORED, same) == ()  # lines not stated: not compared


def test_each_field_that_differs_is_named_in_the_models_order() -> None:
    other = OrderContent(2, AT, Decimal("9.90"), "EUR", "refunded", "store", ())
    assert changed_fields(STORED, other) == ("party_id", "status", "channel", "lines")


@pytest.mark.django_db
def test_a_viewer_cannot_open_the_order_writer(viewer: User) -> None:
    with pytest.raises(Forbidden):
        open_order_writer(by=viewer)


def _write(way: str, writer: BulkOrders, orders: list[CheckedOrder]) -> Written:
    if way == "one statement each":
        return writer.write(orders)
    rows: list[StoredRow] = [
        (
            e,
            p,
            str(a.astimezone(UTC).replace(tzinfo=None)) if isinstance(a, datetime) else a,
            str(t),
            c,
            s,
            ch,
        )
        for e, p, a, t, c, s, ch in orders
    ]
    if way == "many to a statement":
        return writer.write_stored(rows)
    return writer.write_json(json.dumps(rows), len(rows), lambda: rows)


WAYS = ["one statement each", "many to a statement", "sqlite reads json"]


@pytest.mark.django_db
@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("upsert", [False, True])
def test_every_bulk_write_counts_new_same_and_changed_orders_alike(
    way: str, upsert: bool, admin: User
) -> None:
    if way != WAYS[0] and connection.vendor != "sqlite":
        pytest.skip("the stored-text paths are SQLite's")
    party = make_party()
    make_order(party, external_id="KEPT", ordered_at=AT, total=Decimal("5.00"), channel="web")
    make_order(party, external_id="MOVED", ordered_at=AT, total=Decimal("5.00"), channel="web")
    orders: list[CheckedOrder] = [
        ("NEW", party.pk, AT, Decimal("7.00"), "EUR", "completed", "web"),
        ("KEPT", party.pk, AT, Decimal("5.00"), "EUR", "completed", "web"),
        ("MOVED", party.pk, AT, Decimal("5.00"), "EUR", "refunded", "web"),
        ("NEW", party.pk, AT, Decimal("7.00"), "EUR", "completed", "web"),
    ]
    written = _write(way, open_order_writer(by=admin, upsert=upsert), orders)
    assert (written.created, written.unchanged) == (1, 2)
    if upsert:
        assert (written.updated, written.refused) == (1, [])
    else:
        assert written.updated == 0
        assert [(i, e.code, e.params["changed"]) for i, e in written.refused] == [
            (2, "order_external_id_conflict", "status")
        ]
    statuses = dict(Order.objects.values_list("external_id", "status"))
    assert statuses == {
        "NEW": "completed",
        "KEPT": "completed",
        "MOVED": "refunded" if upsert else "completed",
    }
