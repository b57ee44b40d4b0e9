"""Orders in other currencies: converted at their day's rate, and never silently dropped."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from io import StringIO
from typing import Any

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection
from pytest_django.fixtures import Settings as SettingsWrapper

from clientela.accounts.services import forget_company_settings
from clientela.analytics.models import CustomerMetrics, RefreshRun
from clientela.analytics.services import aggregation
from clientela.analytics.services.config import reporting_currency
from clientela.analytics.services.refresh import refresh_metrics
from clientela.commerce.models import ExchangeRate, Order
from clientela.parties.models import Party
from tests.analytics.conftest import AS_OF, Crowd, WebClient, buy
from tests.factories import make_party, make_rate

pytestmark = pytest.mark.django_db

COMPARED = (
    "occasions", "frequency", "recency_days", "active_span_days", "tenure_days", "monetary",
    "average_repeat_value", "first_purchase_at", "last_purchase_at", "r_score", "f_score",
    "m_score", "rfm_segment", "p_alive", "expected_purchases", "expected_spend", "clv", "tier",
    "lifecycle_state",
)  # fmt: skip


@pytest.fixture
def in_eur(settings: SettingsWrapper) -> None:
    settings.CLIENTELA_REPORTING_CURRENCY = "EUR"
    forget_company_settings()


def weekday_rates(currency: str, rate: str, year: int = 2024) -> None:
    """A rate on every weekday of the year, none at weekends (as the ECB publishes them)."""
    day, rows = date(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5:
            rows.append(
                ExchangeRate(
                    day=day, currency=currency, base="EUR", rate=Decimal(rate),
                    recorded_at=AS_OF_MOMENT,
                )
            )  # fmt: skip
        day += timedelta(days=1)
    ExchangeRate.objects.bulk_create(rows)


AS_OF_MOMENT = aggregation.end_of(AS_OF)


def snapshot(parties: list[Party]) -> list[tuple[Any, ...]]:
    rows = CustomerMetrics.objects.in_bulk([p.pk for p in parties])
    return [tuple(getattr(rows[p.pk], name) for name in COMPARED) for p in parties]


def test_usd_and_gbp_orders_give_the_same_metrics_as_the_same_orders_in_eur(
    crowd: Crowd, in_eur: None
) -> None:
    parties = crowd(40)
    weekday_rates("USD", "1.25")
    weekday_rates("GBP", "0.5")
    orders = list(Order.objects.order_by("id"))
    foreign = {o.pk: ("USD", "1.25") if o.pk % 3 == 1 else ("GBP", "0.5") for o in orders[::2]}
    given = {o.pk: o.total for o in orders}
    # First every order in euros, at what the foreign ones are worth at those rates (to the cent).
    for order in orders:
        if order.pk in foreign:
            rate = Decimal(foreign[order.pk][1])
            order.total = (given[order.pk] / rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
            order.save(update_fields=["total"])
    refresh_metrics(as_of=AS_OF)
    in_euros = snapshot(parties)
    # Then the same orders in their own currencies, at the amounts they were made for.
    for order in orders:
        if order.pk in foreign:
            order.total, order.currency = given[order.pk], foreign[order.pk][0]
            order.save(update_fields=["total", "currency"])
    assert Order.objects.exclude(currency="EUR").count() == len(foreign) > 30
    run = refresh_metrics(as_of=AS_OF)
    assert run.excluded_orders == 0
    assert snapshot(parties) == in_euros
    assert any(row[0] > 1 for row in in_euros)  # repeat customers, models fitted
    assert any(row[15] is not None for row in in_euros)


def test_each_order_takes_its_own_days_rate_or_the_latest_within_the_look_back(
    in_eur: None, settings: SettingsWrapper
) -> None:
    settings.CLIENTELA_RATE_LOOKBACK_DAYS = 7
    party = make_party()
    make_rate(date(2024, 3, 1), "USD", "2")  # a Friday
    make_rate(date(2024, 3, 4), "USD", "4")  # the Monday after
    buy(party, date(2024, 3, 1), total="10.00", currency="USD")  # 5.00
    buy(party, date(2024, 3, 3), total="10.00", currency="USD")  # Sunday: Friday's, 5.00
    buy(party, date(2024, 3, 4), total="10.00", currency="USD")  # 2.50
    buy(party, date(2024, 3, 11), total="10.00", currency="USD")  # 7 days on: Monday's, 2.50
    buy(party, date(2024, 3, 12), total="10.00", currency="USD")  # 8 days: no rate
    buy(party, date(2024, 2, 29), total="10.00", currency="USD")  # before any rate
    run = refresh_metrics(as_of=AS_OF)
    m = CustomerMetrics.objects.get(party=party)
    assert (m.occasions, m.monetary) == (4, Decimal("15.00"))
    assert (m.first_purchase_at, m.last_purchase_at) == (date(2024, 3, 1), date(2024, 3, 11))
    assert m.unconverted_orders == 2
    assert run.unconverted == [
        {"currency": "USD", "orders": 2, "value": 20.0, "first_day": "2024-02-29",
         "last_day": "2024-03-12"}
    ]  # fmt: skip


def test_two_foreign_currencies_are_crossed_through_the_base(settings: SettingsWrapper) -> None:
    settings.CLIENTELA_REPORTING_CURRENCY = "USD"
    forget_company_settings()
    party = make_party()
    make_rate(date(2024, 5, 2), "USD", "1.25")
    make_rate(date(2024, 5, 2), "GBP", "0.5")
    buy(party, date(2024, 5, 2), total="10.00", currency="GBP")  # 20 EUR = 25 USD
    buy(party, date(2024, 6, 3), total="4.00", currency="EUR")  # no USD rate that day
    buy(party, date(2024, 7, 1), total="3.00", currency="USD")
    run = refresh_metrics(as_of=AS_OF)
    m = CustomerMetrics.objects.get(party=party)
    assert (m.currency, m.occasions, m.monetary) == ("USD", 2, Decimal("28.00"))
    assert [(u["currency"], u["orders"], u["value"]) for u in run.unconverted] == [("EUR", 1, 4.0)]


def test_a_rate_against_the_reporting_currency_itself_converts_directly(
    in_eur: None,
) -> None:
    party = make_party()
    make_rate(date(2024, 5, 2), "EUR", "0.8", base="USD")  # 1 USD = 0.8 EUR
    buy(party, date(2024, 5, 2), total="10.00", currency="USD")
    refresh_metrics(as_of=AS_OF)
    assert CustomerMetrics.objects.get(party=party).monetary == Decimal("8.00")


def test_the_sql_statement_and_the_numpy_way_agree(crowd: Crowd, in_eur: None) -> None:
    """PostgreSQL aggregates in one SQL statement, SQLite reads keys into NumPy: same result."""
    crowd(30)
    weekday_rates("USD", "1.1")
    for order in Order.objects.filter(id__in=list(Order.objects.values_list("id", flat=True)[::3])):
        order.currency = "USD"
        order.save(update_fields=["currency"])
    party = make_party()
    buy(party, date(2024, 6, 1), total="7.00", currency="JPY")
    buy(party, date(2024, 6, 2), total="9.00", currency="EUR")
    until = connection.ops.adapt_datetimefield_value(aggregation.end_of(AS_OF))
    one = aggregation._histories_in_sql(until, "EUR", ["EUR"])
    other = aggregation.purchase_histories(as_of=AS_OF, currency="EUR")
    for name in ("party_id", "occasions", "first_day", "last_day", "unconverted_party_id"):
        assert np.array_equal(getattr(one, name), getattr(other, name)), name
    assert np.allclose(one.total, other.total)
    assert np.allclose(one.first_value, other.first_value)
    assert one.excluded_orders == other.excluded_orders == 1
    assert other.unconverted[0].currency == "JPY"


def test_the_reporting_currency_is_the_one_holding_most_order_value_until_set(
    settings: SettingsWrapper,
) -> None:
    settings.CLIENTELA_REPORTING_CURRENCY = ""
    forget_company_settings()
    assert reporting_currency().source == "no_orders"
    party = make_party()
    buy(party, date(2024, 5, 2), total="100.00", currency="EUR")
    buy(party, date(2024, 5, 3), total="1000.00", currency="USD")
    assert (reporting_currency().code, reporting_currency().source) == ("USD", "most_order_value")
    make_rate(date(2024, 5, 2), "USD", "20")  # 1000 USD are 50 EUR
    assert reporting_currency().code == "EUR"
    run = refresh_metrics(as_of=AS_OF)
    assert (run.currency, run.currency_source) == ("EUR", "most_order_value")
    settings.CLIENTELA_REPORTING_CURRENCY = "GBP"
    forget_company_settings()
    assert reporting_currency() == type(reporting_currency())("GBP", "set")


def test_the_refresh_command_says_which_currency_why_and_what_it_could_not_convert(
    in_eur: None,
) -> None:
    party = make_party()
    buy(party, date(2024, 5, 2), total="10.00")
    buy(party, date(2024, 5, 3), total="12.50", currency="CHF")
    out, err = StringIO(), StringIO()
    call_command("analytics", "refresh", "--as-of", "2024-12-31", "--json", stdout=out, stderr=err)
    result = json.loads(out.getvalue())
    assert (result["currency"], result["currency_source"], result["excluded_orders"]) == (
        "EUR", "set", 1,
    )  # fmt: skip
    assert result["unconverted"][0] == {
        "currency": "CHF", "orders": 1, "value": 12.5, "first_day": "2024-05-03",
        "last_day": "2024-05-03",
    }  # fmt: skip
    text = err.getvalue()
    assert "Amounts in EUR: set by the company." in text
    assert "1 orders in CHF (12.50 CHF, 2024-05-03 to 2024-05-03) have no exchange rate" in text
    assert "clientela rates import FILE" in text


def test_the_dashboard_and_the_customer_page_name_what_was_left_out(
    admin: Any, web_client: WebClient, settings: SettingsWrapper
) -> None:
    settings.CLIENTELA_REPORTING_CURRENCY = ""
    forget_company_settings()
    party = make_party()
    buy(party, date(2024, 5, 2), total="10.00")
    buy(party, date(2024, 5, 3), total="2.00", currency="CHF")
    refresh_metrics(as_of=AS_OF)
    client = web_client(admin)
    page = client.get("/analytics/").content.decode()
    assert "Reporting currency EUR: the currency that holds most of the order value." in page
    assert 'id="unconverted"' in page
    assert '<th scope="row">CHF</th>' in page
    assert "1 order has no exchange rate to EUR and is not counted" in page
    assert "/exchange-rates/" in page
    panel = client.get(f"/parties/{party.pk}/metrics-panel/").content.decode()
    assert "1 order of this customer has no exchange rate to EUR" in panel


def test_the_api_says_so_too(admin: Any, api_client: Any, in_eur: None) -> None:
    party = make_party()
    buy(party, date(2024, 5, 3), total="2.00", currency="CHF")
    refresh_metrics(as_of=AS_OF)
    client = api_client(admin)
    summary = client.get("/api/v1/analytics/summary").json()
    assert summary["currency_source"] == "set"
    assert summary["unconverted"] == [
        {"currency": "CHF", "orders": 1, "value": 2.0, "first_day": "2024-05-03",
         "last_day": "2024-05-03"}
    ]  # fmt: skip
    metrics = client.get(f"/api/v1/parties/{party.pk}/metrics").json()
    assert (metrics["unconverted_orders"], metrics["occasions"]) == (1, 0)
    assert RefreshRun.objects.get().excluded_orders == 1
