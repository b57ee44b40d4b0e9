"""Erasure reaches order lines: their free text is blanked, their amounts stay."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clientela.accounts.models import User
from clientela.commerce.models import OrderLine
from clientela.consent.services import erase_party
from clientela.core.registries import ERASED_COLUMNS
from tests import factories

pytestmark = pytest.mark.django_db


def _line(party_name: str) -> OrderLine:
    party = factories.make_party(given_name=party_name)
    order = factories.make_order(party, total=Decimal("30.00"))
    return OrderLine.objects.create(
        order=order,
        sku=f"MUG-{party_name}",
        product=f"Mug engraved {party_name}",
        category=f"Gifts for {party_name}",
        quantity=Decimal(3),
        unit_price=Decimal("10.00"),
    )


def test_an_erasure_blanks_the_text_of_the_persons_order_lines(admin: User) -> None:
    theirs, others = _line("Zebulon"), _line("Ana")
    erase_party(theirs.order.party, by=admin)
    theirs.refresh_from_db()
    others.refresh_from_db()
    assert (theirs.sku, theirs.product, theirs.category) == ("", "", "")
    assert (theirs.quantity, theirs.unit_price) == (Decimal(3), Decimal("10.00"))
    assert theirs.order.total == Decimal("30.00")  # revenue stays right
    assert others.product == "Mug engraved Ana"


def test_the_commerce_eraser_lists_the_columns_it_blanks() -> None:
    assert set(ERASED_COLUMNS["commerce"]) == {
        "commerce_orderline.sku",
        "commerce_orderline.product",
        "commerce_orderline.category",
    }
