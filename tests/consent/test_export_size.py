"""The privacy export of a party with more orders than SQLite binds in one statement.

The audit's party had 510,008 orders and SQLite refused the export ("too many SQL
variables": every order id went into one IN list). SQLite's limit is a compile-time option
(999 before 3.32, 32,766 after, 250,000 in Debian's build); the test lowers this connection's
limit to 999 with `setlimit`, so a few thousand orders exceed it on any build, quickly.
"""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from clientela.accounts.models import User
from clientela.commerce.models import Order, OrderLine
from clientela.consent.services import open_request
from clientela.parties.models import Party
from tests import factories
from tests.consent.conftest import streamed

pytestmark = pytest.mark.django_db
LIMIT = 999
ORDERS = 2 * LIMIT + 3


def _party_with_many_orders() -> Party:
    party = factories.make_party(email="big.buyer@example.org", external_id="BIG-1")
    now = timezone.now()
    Order.objects.bulk_create(
        (
            Order(
                external_id=f"BIG-{i}",
                party=party,
                ordered_at=now,
                total=Decimal("10.00"),
                currency="EUR",
            )
            for i in range(ORDERS)
        ),
        batch_size=100,
    )
    ids = Order.objects.filter(party=party).values_list("pk", flat=True)
    OrderLine.objects.bulk_create(
        (
            OrderLine(order_id=pk, product="Tea", quantity=Decimal(1), unit_price=Decimal(10))
            for pk in ids
        ),
        batch_size=100,
    )
    return party


@pytest.fixture
def big_party() -> Iterator[Party]:
    """A party with more orders than the connection binds in one statement (SQLite)."""
    party = _party_with_many_orders()
    if connection.vendor != "sqlite":
        yield party
        return
    raw = connection.connection
    before = raw.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, LIMIT)
    try:
        yield party
    finally:
        raw.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, before)


def test_the_api_exports_a_party_with_more_orders_than_sqlite_binds(
    big_party: Party, manager: User, api_client: Callable[[User], Client]
) -> None:
    request = open_request(big_party, kind="access", channel="staff", by=manager)
    response = api_client(manager).get(f"/api/v1/privacy-requests/{request.pk}/export")
    assert response.status_code == 200
    data = json.loads(streamed(response))
    assert len(data["orders"]) == ORDERS
    assert all(order["lines"][0]["product"] == "Tea" for order in data["orders"])
    assert data["purchase_summary"]["orders"] == ORDERS


def test_the_command_exports_a_party_with_more_orders_than_sqlite_binds(
    big_party: Party, tmp_path: Path
) -> None:
    out = io.StringIO()
    call_command("privacy", "export", "BIG-1", stdout=out)
    assert len(json.loads(out.getvalue())["orders"]) == ORDERS
    target = tmp_path / "big.zip"
    call_command("privacy", "export", "BIG-1", "--out", str(target), stderr=io.StringIO())
    with zipfile.ZipFile(target) as archive:
        assert len(json.loads(archive.read("data.json"))["orders"]) == ORDERS
        rows = archive.read("orders.csv").decode().splitlines()
    assert len(rows) == ORDERS + 1  # the header, then one row per order


def test_the_staff_page_and_the_preference_centre_export_it_too(
    big_party: Party, manager: User, web_client: Callable[[User], Client]
) -> None:
    request = open_request(big_party, kind="access", channel="staff", by=manager)
    response = web_client(manager).get(f"/privacy-requests/{request.pk}/export.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(streamed(response))) as archive:
        assert len(json.loads(archive.read("data.json"))["orders"]) == ORDERS
