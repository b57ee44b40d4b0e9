"""The order tables in Django's admin: the pages load for an admin, and only for an admin."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.commerce.models import Order, OrderLine
from tests.factories import aware, make_order, make_party, make_rate

Web = Callable[[User], Client]
CHANGELIST = "/admin/commerce/order/"


@pytest.fixture
def order(db: None) -> Order:
    made = make_order(make_party(external_id="C1", given_name="Ana"), external_id="O-77")
    OrderLine.objects.create(order=made, product="Green tea", quantity=2, unit_price="9.95")
    return made


@pytest.mark.django_db
def test_the_order_list_and_an_orders_page_load_for_an_admin(
    web_client: Web, admin: User, order: Order
) -> None:
    client = web_client(admin)
    listed = client.get(CHANGELIST)
    assert listed.status_code == 200
    assert "O-77" in listed.content.decode()
    page = client.get(f"{CHANGELIST}{order.pk}/change/")
    assert page.status_code == 200
    assert "Green tea" in page.content.decode()  # the lines, inline
    assert client.get(f"{CHANGELIST}add/").status_code == 200


@pytest.mark.django_db
def test_orders_are_found_by_external_id_or_party_and_filtered(
    web_client: Web, admin: User, order: Order
) -> None:
    make_order(make_party(external_id="C2"), external_id="O-88", status="refunded", currency="USD")
    client = web_client(admin)
    for query, shown, hidden in [
        ("q=O-77", "O-77", "O-88"),
        ("q=C2", "O-88", "O-77"),
        ("status__exact=refunded", "O-88", "O-77"),
        ("currency=USD", "O-88", "O-77"),
        ("channel__exact=other", "O-77", "nothing"),
    ]:
        body = client.get(f"{CHANGELIST}?{query}").content.decode()
        assert shown in body, query
        assert f">{hidden}<" not in body, query


@pytest.mark.django_db
def test_the_audit_time_and_a_stored_external_id_cannot_be_changed_in_the_admin(
    web_client: Web, admin: User, order: Order
) -> None:
    page = web_client(admin).get(f"{CHANGELIST}{order.pk}/change/").content.decode()
    assert 'name="created_at"' not in page
    assert 'name="external_id"' not in page
    assert 'name="status"' in page


@pytest.mark.django_db
def test_an_admin_edit_checks_the_currency_as_the_api_does(
    web_client: Web, admin: User, order: Order
) -> None:
    form = {
        "party": order.party_id,
        "ordered_at_0": "2024-03-01",
        "ordered_at_1": "10:00:00",
        "total": "10.00",
        "currency": "EUU",
        "status": "refunded",
        "channel": "web",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
    }
    client = web_client(admin)
    refused = client.post(f"{CHANGELIST}{order.pk}/change/", form)
    assert refused.status_code == 200
    assert "is not an ISO 4217 currency code" in refused.content.decode()
    saved = client.post(f"{CHANGELIST}{order.pk}/change/", form | {"currency": "usd"})
    assert saved.status_code == 302
    order.refresh_from_db()
    assert (order.currency, order.status, order.total) == ("USD", "refunded", Decimal("10.00"))
    assert order.ordered_at == aware(2024, 3, 1, 10)


@pytest.mark.django_db
def test_the_order_line_list_finds_lines_by_product_or_order(
    web_client: Web, admin: User, order: Order
) -> None:
    client = web_client(admin)
    assert client.get("/admin/commerce/orderline/").status_code == 200
    for query in ("q=Green", "q=O-77"):
        assert "Green tea" in client.get(f"/admin/commerce/orderline/?{query}").content.decode()
    line = order.lines.get()
    assert client.get(f"/admin/commerce/orderline/{line.pk}/change/").status_code == 200


@pytest.mark.django_db
def test_only_admins_reach_the_order_admin(web_client: Web, manager: User, order: Order) -> None:
    response = web_client(manager).get(CHANGELIST)
    assert response.status_code == 403


def test_the_exchange_rates_are_listed_read_only_for_an_admin(web_client: Web, admin: User) -> None:
    make_rate(date(2024, 12, 6), "USD", "1.0581")
    client = web_client(admin)
    page = client.get("/admin/commerce/exchangerate/")
    assert page.status_code == 200
    assert "USD" in page.content.decode()
    assert client.get("/admin/commerce/exchangerate/add/").status_code == 403
