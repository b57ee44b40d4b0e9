"""Amounts as people write them, read by the one money rule (core.money)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clientela.core.errors import Problem
from clientela.core.money import decimal_mark_of, read_amount


@pytest.mark.parametrize(
    ("text", "decimal", "amount", "currencies"),
    [
        ("€ 12,50", ",", "12.50", {"EUR"}),
        ("12,50 €", ",", "12.50", {"EUR"}),
        ("$1,234.56", ".", "1234.56", {"USD", "CAD", "AUD", "MXN"}),
        ("R$ 1.234,56", ",", "1234.56", {"BRL"}),
        ("1\u00a0234,56 EUR", ",", "1234.56", {"EUR"}),
        ("£7", ".", "7.00", {"GBP"}),
        ("1.234.567,8", ",", "1234567.80", None),
        ("1'234.50", ".", "1234.50", None),
        ("42", ",", "42.00", None),
    ],
)
def test_amounts_are_read_with_their_sign(
    text: str, decimal: str, amount: str, currencies: set[str] | None
) -> None:
    value, signs = read_amount(text, decimal=decimal)
    assert value == Decimal(amount)
    if currencies is None:
        assert signs is None
    else:
        assert signs is not None
        assert currencies <= signs


@pytest.mark.parametrize(
    ("text", "decimal", "code"),
    [
        ("dez", ".", "amount_not_a_number"),
        ("12.50", ",", "amount_unreadable"),  # a point in a decimal-comma file
        ("1,23,4", ".", "amount_unreadable"),
        ("€ 1,005", ",", "amount_too_many_decimals"),  # the money rule itself
        ("€12 $", ".", "amount_not_a_number"),  # two signs
        ("XYZ 5", ".", "amount_not_a_number"),  # not a currency
    ],
)
def test_what_is_not_an_amount_is_refused_with_its_code(text: str, decimal: str, code: str) -> None:
    with pytest.raises(Problem) as caught:
        read_amount(text, decimal=decimal)
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("number", "mark"),
    [("1.234,56", ","), ("12,5", ","), ("1,234.56", "."), ("12.50", "."), ("1.234.567", ","),
     ("1,234", None), ("1.234", None), ("12", None)],
)  # fmt: skip
def test_a_number_shows_its_decimal_mark_when_it_can(number: str, mark: str | None) -> None:
    assert decimal_mark_of(number) == mark
