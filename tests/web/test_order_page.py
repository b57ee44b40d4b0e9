"""An order's page: its lines with their totals, its total in the reporting currency when it is
in another, reached from the party's orders and the timeline; 404 for whoever may not see the
party. And the API's read of one order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.accounts.services import update_company
from clientela.commerce.models import Order, OrderLine, OrderStatus, SalesChannel
from clientela.parties.models import Party
from tests import factories

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]


def order_with_lines(party: Party, **fields: Any) -> Order:
    order = factories.make_order(
        party, external_id="ORD-7", total=Decimal("1250.50"), currency="USD",
        ordered_at=factories.aware(2026, 11, 1), channel=SalesChannel.WEB, **fields,
    )  # fmt: skip
    OrderLine.objects.create(
        order=order, sku="ESP-1", product="Espresso beans 1 kg", category="Coffee",
        quantity=Decimal("2.500"), unit_price=Decimal("100.20"),
    )  # fmt: skip
    OrderLine.objects.create(
        order=order, product="Grinder", quantity=Decimal(1), unit_price=Decimal("1000.00")
    )
    return order


def test_an_order_shows_its_lines_and_their_totals(admin: User, web_client: WebClient) -> None:
    party = factories.make_party(given_name="Lia")
    order = order_with_lines(party)

    response = web_client(admin).get(f"/orders/{order.pk}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Order ORD-7</h1>" in body
    assert f'<a href="/parties/{party.pk}/">{party.display_name}</a>' in body
    assert "1 Nov 2026, 12:00" in body
    assert "Web shop" in body
    rows = body[body.index("<tbody>") : body.index("</tbody>")]
    assert rows.index("Espresso beans 1 kg") < rows.index("Grinder")
    assert '<td class="num">2.5</td>' in rows  # the quantity as written, not 2.500
    assert '<td class="num amount">US$100.20</td>' in rows
    assert '<td class="num amount">US$250.50</td>' in rows  # 2.5 x 100.20
    assert '<td class="num amount">US$1,000.00</td>' in rows
    assert 'id="order-total">US$1,250.50<' in body


def test_an_order_in_another_currency_shows_its_reporting_currency_value(
    admin: User, web_client: WebClient
) -> None:
    update_company(by=admin, reporting_currency="EUR")
    factories.make_rate(date(2026, 11, 1), "USD", "1.25")  # 1 EUR = 1.25 USD
    order = order_with_lines(factories.make_party())

    body = web_client(admin).get(f"/orders/{order.pk}/").content.decode()

    assert "Total in EUR" in body
    assert 'id="order-converted">€1,000.40<' in body  # 1250.50 / 1.25


def test_an_order_without_a_rate_for_its_day_says_so(admin: User, web_client: WebClient) -> None:
    update_company(by=admin, reporting_currency="EUR")
    order = order_with_lines(factories.make_party())

    body = web_client(admin).get(f"/orders/{order.pk}/").content.decode()

    assert "no exchange rate to EUR for this day" in body


def test_an_order_in_the_reporting_currency_shows_no_conversion(
    admin: User, web_client: WebClient
) -> None:
    update_company(by=admin, reporting_currency="USD")
    order = order_with_lines(factories.make_party())

    body = web_client(admin).get(f"/orders/{order.pk}/").content.decode()

    assert 'id="order-converted"' not in body


def test_an_order_in_portuguese(admin: User, web_client: WebClient) -> None:
    order = order_with_lines(factories.make_party(), status=OrderStatus.REFUNDED)
    client = web_client(admin)
    client.cookies["django_language"] = "pt"

    body = client.get(f"/orders/{order.pk}/").content.decode()

    assert "1 nov 2026, 12:00" in body
    assert "1.250,50\u00a0US$" in body
    assert '<td class="num">2,5</td>' in body


def test_an_order_of_a_party_the_reader_may_not_see_is_not_found(
    sales_a: User, sales_b: User, web_client: WebClient
) -> None:
    theirs = factories.make_party(team=sales_b.team, owner=sales_b)
    order = order_with_lines(theirs)

    assert web_client(sales_a).get(f"/orders/{order.pk}/").status_code == 404
    assert web_client(sales_b).get(f"/orders/{order.pk}/").status_code == 200
    assert web_client(sales_a).get("/orders/999999/").status_code == 404


def test_an_order_needs_a_signed_in_reader(client: Client) -> None:
    order = order_with_lines(factories.make_party())

    response = client.get(f"/orders/{order.pk}/")

    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_the_partys_orders_and_the_timeline_lead_to_the_order(
    admin: User, web_client: WebClient
) -> None:
    party = factories.make_party()
    order = order_with_lines(party)
    client = web_client(admin)

    orders = client.get(f"/parties/{party.pk}/?tab=orders").content.decode()
    timeline = client.get(f"/parties/{party.pk}/").content.decode()

    assert f'<a href="/orders/{order.pk}/">ORD-7</a>' in orders
    assert f'<a href="/orders/{order.pk}/">Order ORD-7</a>' in timeline


def test_the_api_reads_one_order_with_its_lines(
    sales_a: User, sales_b: User, api_client: Callable[[User], Client]
) -> None:
    order = order_with_lines(factories.make_party(team=sales_b.team, owner=sales_b))

    mine = api_client(sales_b).get(f"/api/v1/orders/{order.pk}")
    not_mine = api_client(sales_a).get(f"/api/v1/orders/{order.pk}")
    missing = api_client(sales_b).get("/api/v1/orders/999999")

    assert mine.status_code == 200
    data = mine.json()
    assert data["external_id"] == "ORD-7"
    assert [line["product"] for line in data["lines"]] == ["Espresso beans 1 kg", "Grinder"]
    assert not_mine.status_code == missing.status_code == 404
    assert not_mine.json()["code"] == missing.json()["code"] == "order_not_found"


def test_the_orders_section_pages_through_older_orders(admin: User, web_client: WebClient) -> None:
    party = factories.make_party()
    for n in range(30):
        factories.make_order(
            party, external_id=f"P-{n:02d}", ordered_at=factories.aware(2026, 1, 1 + n)
        )
    client = web_client(admin)

    first = client.get(f"/parties/{party.pk}/?tab=orders").content.decode()
    second = client.get(f"/parties/{party.pk}/?tab=orders&orders_page=2").content.decode()
    nonsense = client.get(f"/parties/{party.pk}/?tab=orders&orders_page=x")

    assert ">P-29</a>" in first
    assert ">P-05</a>" in first
    assert ">P-04</a>" not in first
    assert "?tab=orders&amp;orders_page=2#orders" in first
    assert ">P-04</a>" in second
    assert ">P-00</a>" in second
    assert ">P-05</a>" not in second
    assert "?tab=orders&amp;orders_page=1#orders" in second
    assert nonsense.status_code == 200
