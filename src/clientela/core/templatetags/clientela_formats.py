"""The filters every page writes dates, numbers and money with, in the reader's language.

    {{ day|day }}            1 November 2026 · 1 de novembro de 2026
    {{ day|day_month }}      1 November · 1 de novembro (a birthday: no year)
    {{ day|short_day }}      1 Nov 2026 · 1 nov 2026
    {{ moment|when }}        1 Nov 2026, 14:05 (in the reader's time zone)
    {{ key_date|key_date }}  a party's key date: day and month, and the year when known
    {{ n|number }}           1,234,567 · 1.234.567 (`number:2` for two decimals)
    {{ share|percent }}      87% · 87 % (a share from 0 to 1)
    {{ amount|money:cur }}   €1,234.50 · 1.234,50 € (core.money.format_money)

Dates never come out as "1/11": the format modules (core/formats) put the month in words.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils import formats, timezone
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.translation import get_language

from clientela.core.templatetags.clientela_money import money

register = template.Library()
register.filter("money", money)

# Languages that write month names in lower case (Django's catalogues capitalise some).
LOWER_CASE_MONTHS = frozenset({"pt", "es", "it"})


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def _written(value: date, format_name: str) -> str:
    """The date in the named format of the reader's language, months in their own case."""
    text = formats.date_format(value, format_name)
    if _language() in LOWER_CASE_MONTHS:
        for name in (str(MONTHS[value.month]), str(MONTHS_3[value.month]).title()):
            text = text.replace(name, name.lower())
    return text


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value
    return None


@register.filter
def day(value: Any) -> str:
    """A date (or a moment's date, in the reader's zone) in words; "" for none."""
    found = _as_date(value)
    return _written(found, "DATE_FORMAT") if found is not None else ""


@register.filter
def short_day(value: Any) -> str:
    """A date with the month abbreviated, for tables and tiles; "" for none."""
    found = _as_date(value)
    return _written(found, "SHORT_DATE_FORMAT") if found is not None else ""


@register.filter
def day_month(value: Any) -> str:
    """Day and month only, for what comes back each year; "" for none."""
    found = _as_date(value)
    return _written(found, "MONTH_DAY_FORMAT") if found is not None else ""


@register.filter
def when(value: Any) -> str:
    """A moment, in the reader's time zone, with the month in words and the time; "" for none."""
    if not isinstance(value, datetime):
        return day(value)
    moment = timezone.localtime(value) if timezone.is_aware(value) else value
    return _written(moment, "SHORT_DATETIME_FORMAT")


@register.filter
def key_date(value: Any) -> str:
    """A key date kept as day, month and maybe year (parties.KeyDate): "1 November" when the
    year is unknown, "1 November 1980" when it is known; "" when it is no date."""
    day_of, month, year = (getattr(value, name, None) for name in ("day", "month", "year"))
    if not isinstance(day_of, int) or not isinstance(month, int):
        return ""
    try:
        found = date(year or 2000, month, day_of)  # 2000: a leap year, so 29 February exists
    except (TypeError, ValueError):
        return ""
    return _written(found, "DATE_FORMAT" if year else "MONTH_DAY_FORMAT")


@register.filter
def number(value: Any, places: Any = 0) -> str:
    """A number grouped in thousands as the reader writes it; "" for none."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
        decimals = int(places)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if not amount.is_finite():
        return str(value)
    rounded = amount.quantize(Decimal(1).scaleb(-decimals)) if decimals >= 0 else amount
    return formats.number_format(
        rounded, decimal_pos=max(decimals, 0), use_l10n=True, force_grouping=True
    )


@register.filter
def percent(value: Any) -> str:
    """A share from 0 to 1 as a whole percentage: "87%" (en), "87 %" (pt, es, it)."""
    if value is None or value == "":
        return ""
    try:
        share = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not share.is_finite():
        return str(value)
    whole = number(share * 100, 0)
    return f"{whole}%" if _language() == "en" else f"{whole}\u00a0%"
