"""The one money rule: exact exponent notation is read, what does not fit the column is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clientela.commerce.models import Order, OrderLine
from clientela.core.errors import Problem
from clientela.core.money import MAX_AMOUNT, MONEY_DIGITS, MONEY_PLACES, parse_amount


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        ("1.5e2", Decimal("150.00")),
        (1.5e2, Decimal("150.00")),
        ("1E+5", Decimal("100000.00")),
        ("12.5e-1", Decimal("1.25")),
        (" 49.90 ", Decimal("49.90")),
        (20, Decimal("20.00")),
        ("-0", Decimal("0.00")),
        ("0e-1000000000000000000", Decimal("0.00")),
        ("999999999999.99", MAX_AMOUNT),
        (Decimal("1E+2"), Decimal("100.00")),
    ],
)
def test_an_exact_amount_is_read_in_any_notation(value: object, amount: Decimal) -> None:
    parsed = parse_amount(value)
    assert parsed == amount
    assert parsed.as_tuple().exponent == -MONEY_PLACES  # in cents, as the column stores it
    assert not parsed.is_signed()


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1e30", "amount_too_large"),
        (1e30, "amount_too_large"),
        (1046971273721183.0, "amount_too_large"),
        ("1046971273721183.0", "amount_too_large"),
        ("1000000000000", "amount_too_large"),
        # abs() or quantize() of these overflows the decimal context: compared without them
        ("1e999999999999999999", "amount_too_large"),
        ("-1e999999999999999999", "amount_negative"),
        ("1e99999999999999999999", "amount_not_a_number"),
        ("1e-3", "amount_too_many_decimals"),
        (0.1 + 0.2, "amount_too_many_decimals"),
        ("-5", "amount_negative"),
        ("NaN", "amount_not_finite"),
        ("-Infinity", "amount_not_finite"),
        (float("inf"), "amount_not_finite"),
        ("1_000", "amount_not_a_number"),
        ("١٢", "amount_not_a_number"),
        ("12 EUR", "amount_not_a_number"),
        ("", "amount_not_a_number"),
        (True, "amount_not_a_number"),
        (None, "amount_not_a_number"),
        ([1], "amount_not_a_number"),
    ],
)
def test_an_amount_that_does_not_fit_the_column_is_refused_with_its_code(
    value: object, code: str
) -> None:
    with pytest.raises(Problem) as refused:
        parse_amount(value)
    assert refused.value.code == code


def test_the_money_columns_are_declared_by_the_same_rule() -> None:
    for field in (Order._meta.get_field("total"), OrderLine._meta.get_field("unit_price")):
        assert (field.max_digits, field.decimal_places) == (MONEY_DIGITS, MONEY_PLACES)
