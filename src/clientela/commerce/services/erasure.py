"""Erasure of what the order tables keep about a person (registered as the eraser "commerce").

Orders stay with their totals, dates, currency, status and external id (the source system's
number, kept so that a re-import recognises them), and their lines with quantities and
prices: revenue and aggregates stay right. The lines' free text goes — a product, SKU or
category can name the person ("Mug engraved for Zebulon").
"""

from __future__ import annotations

from clientela.commerce.models import OrderLine
from clientela.core.registries import blank_text
from clientela.parties.models import Party

# The free-text columns this eraser blanks ("table.column").
COLUMNS = tuple(f"{OrderLine._meta.db_table}.{name}" for name in blank_text(OrderLine, keep=set()))


def erase_order_text(party: Party) -> None:
    """Blank the free text of the party's order lines; amounts and the orders stay."""
    OrderLine.objects.filter(order__party=party).update(**blank_text(OrderLine, keep=set()))
