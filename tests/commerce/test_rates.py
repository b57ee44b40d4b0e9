"""Exchange rates: the ECB's files and the long format read whole or not at all, idempotently."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest

from clientela.accounts.models import User
from clientela.commerce.models import ExchangeRate
from clientela.commerce.services.rates import RatesImported, import_rates, set_rate
from clientela.core.errors import Forbidden, Invalid

pytestmark = pytest.mark.django_db

# As the ECB publishes them: the history with N/A cells and a trailing comma on every line...
ECB_HISTORY = (
    "Date,USD,JPY,BGN,CYP,GBP,\n"
    "2024-12-06,1.0581,158.95,1.9558,N/A,0.82925,\n"
    "2024-12-05,1.0538,158.09,1.9558,N/A,0.82830,\n"
    "2008-01-02,1.4707,165.49,1.9558,0.585274,0.73985,\n"
)
# ... and the day's file, with spaces after the commas and the day written out.
ECB_DAY = (
    "Date, USD, JPY, BGN, CZK, GBP, \n06 December 2024, 1.0581, 158.95, 1.9558, 25.177, 0.82925, \n"
)
LONG = "date,currency,rate,base\n2024-12-06,USD,1.0581,EUR\n2024-12-06,EUR,0.9451,USD\n"


def read(text: str, fmt: str | None = None) -> RatesImported:
    return import_rates(io.StringIO(text, newline=""), fmt=fmt, source="test.csv", by=None)


def rate(day: date, currency: str, base: str = "EUR") -> Decimal:
    return ExchangeRate.objects.get(day=day, currency=currency, base=base).rate


def test_the_ecb_history_is_read_with_its_gaps_skipped() -> None:
    done = read(ECB_HISTORY)
    assert (done.rates, done.created, done.updated, done.unchanged) == (13, 13, 0, 0)
    assert rate(date(2024, 12, 6), "USD") == Decimal("1.0581")
    assert rate(date(2008, 1, 2), "CYP") == Decimal("0.585274")
    assert not ExchangeRate.objects.filter(currency="CYP", day__year=2024).exists()
    assert set(ExchangeRate.objects.values_list("base", flat=True)) == {"EUR"}


def test_the_ecb_daily_file_is_read_too() -> None:
    read(ECB_DAY)
    assert rate(date(2024, 12, 6), "CZK") == Decimal("25.177")
    assert ExchangeRate.objects.count() == 5


def test_a_long_file_may_name_another_base() -> None:
    read(LONG)
    assert rate(date(2024, 12, 6), "EUR", base="USD") == Decimal("0.9451")
    read("date;currency;rate\n2024-12-09;GBP;0.83\n")  # semicolons; base EUR when not given
    assert rate(date(2024, 12, 9), "GBP") == Decimal("0.83")


def test_the_same_file_again_changes_nothing_and_a_new_rate_is_counted_as_updated() -> None:
    read(ECB_HISTORY)
    again = read(ECB_HISTORY)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 13)
    changed = read("date,currency,rate\n2024-12-06,USD,1.0600\n2024-12-06,JPY,158.9500\n")
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 1)
    assert rate(date(2024, 12, 6), "USD") == Decimal("1.06")


def test_a_bad_file_is_refused_whole_each_problem_named_by_line_field_and_value() -> None:
    bad = "date,currency,rate\n2024-12-06,USD,1.05\n2024-13-01,USD,1.05\n2024-12-07,XXX,-2\n"
    with pytest.raises(Invalid) as raised:
        read(bad)
    found = [(e.line, e.field, e.value, e.code) for e in raised.value.errors]
    assert found == [
        (3, "date", "2024-13-01", "rate_date_invalid"),
        (4, "currency", "XXX", "currency_invalid"),
        (4, "rate", "-2", "rate_not_positive"),
    ]
    assert raised.value.code == "rates_file_invalid"
    assert not ExchangeRate.objects.exists()


def test_a_bad_cell_of_the_ecb_file_names_its_currency_column() -> None:
    with pytest.raises(Invalid) as raised:
        read("Date,USD,JPY,\n2024-12-06,1.05,abc,\n")
    (error,) = raised.value.errors
    assert (error.line, error.field, error.value, error.code) == (
        2,
        "JPY",
        "abc",
        "rate_not_a_number",
    )


def test_two_rates_for_the_same_day_in_one_file_are_refused() -> None:
    with pytest.raises(Invalid) as raised:
        read("date,currency,rate\n2024-12-06,USD,1.05\n2024-12-06,USD,1.07\n")
    (error,) = raised.value.errors
    assert (error.line, error.code, error.params["other"]) == (3, "rate_repeated", 2)


def test_an_unknown_header_or_an_empty_file_is_refused() -> None:
    with pytest.raises(Invalid) as raised:
        read("day,code,value\n2024-12-06,USD,1.05\n")
    assert raised.value.errors[0].code == "rates_header_invalid"
    with pytest.raises(Invalid) as raised:
        read("\n\n")
    assert raised.value.errors[0].code == "rates_file_empty"
    with pytest.raises(Invalid) as raised:
        read("Date,USD,\n2024-12-06,N/A,\n")
    assert raised.value.errors[0].code == "rates_file_empty"


def test_a_rate_of_a_currency_to_itself_is_refused() -> None:
    with pytest.raises(Invalid) as raised:
        read("date,currency,rate,base\n2024-12-06,EUR,1,EUR\n")
    assert raised.value.errors[0].code == "rate_currency_is_base"


def test_only_admins_and_managers_write_rates(admin: User, manager: User, viewer: User) -> None:
    set_rate(date(2024, 1, 2), "USD", Decimal("1.1"), by=admin)
    _rate, outcome = set_rate(date(2024, 1, 2), "USD", Decimal("1.10"), by=manager)
    assert outcome == "unchanged"
    with pytest.raises(Forbidden):
        set_rate(date(2024, 1, 2), "USD", Decimal("1.2"), by=viewer)
    with pytest.raises(Forbidden):
        import_rates(io.StringIO(LONG), fmt=None, source="x", by=viewer)
    assert rate(date(2024, 1, 2), "USD") == Decimal("1.1")
