"""The one money filter of every page: `{{ amount|money:currency }}`, in the reader's language."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.translation import get_language

from clientela.core.money import format_money

register = template.Library()


@register.filter
def money(amount: Any, currency: str = "") -> str:
    """1234.5 and "EUR" -> "1.234,50 €" on a Portuguese page, "€1,234.50" on an English one;
    "" for no amount."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    return format_money(value, str(currency or ""), language=get_language() or "en")
