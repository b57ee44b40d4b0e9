"""Pages show dates, numbers and money in the reader's language: 1.234,56 € and 25 mar 2024 in
Portuguese, €1,234.56 and 25 Mar 2024 in English; the month in words, never 03/25 or 25/03."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import Client
from django.utils import translation

from clientela.accounts.models import Role, User
from clientela.core.money import format_money
from tests import factories

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("language", "currency", "shown"),
    [
        ("en", "EUR", "€1,234.56"),
        ("pt", "EUR", f"1.234,56{NBSP}€"),
        ("es", "EUR", f"1{NBSP}234,56{NBSP}€"),
        ("it", "EUR", f"1.234,56{NBSP}€"),
        ("pt", "BRL", f"1.234,56{NBSP}R$"),
        ("en", "CHF", f"CHF{NBSP}1,234.56"),
    ],
)
def test_money_is_written_as_its_reader_writes_it(language: str, currency: str, shown: str) -> None:
    assert format_money(Decimal("1234.56"), currency, language=language) == shown


def test_the_money_filter_follows_the_active_language() -> None:
    template = Template("{% load clientela_money %}{{ amount|money:currency }}")
    context = Context({"amount": Decimal("1234567.5"), "currency": "EUR"})
    with translation.override("pt"):
        assert template.render(context) == f"1.234.567,50{NBSP}€"
    with translation.override("en"):
        assert template.render(context) == "€1,234,567.50"


@pytest.mark.parametrize(
    ("language", "expected", "refused"),
    [
        ("pt", [f"1.234,56{NBSP}€", "25 mar 2024"], ["03/25/2024", "25/03/2024", "1,234.56"]),
        ("en", ["€1,234.56", "25 Mar 2024"], ["03/25/2024", "1.234,56"]),
        ("it", [f"1.234,56{NBSP}€", "25 mar 2024"], ["03/25/2024", "25/03/2024"]),
    ],
)
@pytest.mark.django_db
def test_the_customer_page_shows_purchases_in_the_readers_locale(
    web_client: Callable[[User], Client], language: str, expected: list[str], refused: list[str]
) -> None:
    reader = factories.make_user(role=Role.ADMIN, language=language)
    party = factories.make_party()
    factories.make_order(
        party,
        total=Decimal("1234.56"),
        currency="EUR",
        ordered_at=datetime(2024, 3, 25, 12, 0, tzinfo=UTC),
    )
    page = web_client(reader).get(f"/parties/{party.pk}/?tab=orders").content.decode()
    for text in expected:
        assert text in page
    for text in refused:
        assert text not in page
