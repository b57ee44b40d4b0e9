"""Money: Decimal amounts with an ISO 4217 currency."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from clientela.core.errors import Problem

# Active ISO 4217 codes (2024 list), so a typo such as "EUU" is refused instead of stored.
_CODES = """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN
    BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
    GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW
    KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD
    NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD
    SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES
    VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
"""
CURRENCIES = frozenset(_CODES.split())
# Codes no longer in use that the ECB's rate history still has columns for (the euro replaced
# most of them; TRL became TRY, ROL became RON): their rates are kept as published.
RETIRED_CURRENCIES = frozenset("CYP EEK HRK LTL LVL MTL ROL SIT SKK TRL".split())

# Every money column is DECIMAL(14, 2) (commerce's totals and prices): 12 digits before the
# point, 2 after. The columns are declared with these, so the rule and the column cannot drift.
MONEY_DIGITS = 14
MONEY_PLACES = 2
CENT = Decimal(1).scaleb(-MONEY_PLACES)
MAX_AMOUNT = Decimal(10 ** (MONEY_DIGITS - MONEY_PLACES)) - CENT  # 999999999999.99
# What a person or a program writes as a number: ASCII digits, a point, an exponent. Decimal()
# alone would also take "1_000" and other scripts' digits ("١٢").
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$", re.ASCII)


def is_currency(code: str) -> bool:
    """True for an active ISO 4217 code written in capitals."""
    return code in CURRENCIES


def parse_amount(value: object) -> Decimal:
    """A money amount that fits its column: finite, not negative, at most MAX_AMOUNT, in cents.

    The one rule of every door that takes money (the API, NDJSON, imports, forms). Exponent
    notation is read exactly: "1.5e2" is 150.00, while "1e30" is too large and "1e-3" has too
    many decimals. A JSON number comes as a float; its shortest form is what was written.
    Raises Problem with the rule's code; the value is returned with exactly two decimals.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise Problem("amount_not_a_number", _("is not a number"))
    text = repr(value) if isinstance(value, float) else str(value).strip()
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        raise Problem("amount_not_a_number", _("is not a number")) from None
    if not amount.is_finite():
        raise Problem("amount_not_finite", _("is not a finite number"))
    if not _NUMBER.match(text):
        raise Problem("amount_not_a_number", _("is not a number"))
    if amount.is_signed() and amount:
        raise Problem("amount_negative", _("must not be negative"))
    # Compared without arithmetic: abs() or quantize() of 1e999999999999999999 overflows.
    if amount.copy_abs() > MAX_AMOUNT:
        raise Problem("amount_too_large", _("is too large (at most %(max)s)"), max=MAX_AMOUNT)
    cents = amount.quantize(CENT)
    if cents != amount:
        raise Problem("amount_too_many_decimals", _("has more than two decimals"))
    return cents.copy_abs()  # -0 is 0


# Exchange rates (commerce's table): up to 12 digits before the point and 10 after, so that
# both 0.0000612345 (1 IDR in EUR) and 16,500.12 (1 EUR in IDR) are kept as published.
RATE_DIGITS = 22
RATE_PLACES = 10
MAX_RATE = Decimal(10 ** (RATE_DIGITS - RATE_PLACES)) - Decimal(1).scaleb(-RATE_PLACES)


def parse_rate(value: object) -> Decimal:
    """An exchange rate that fits its column: a number above 0, at most 10 decimals.

    The one rule of every door that takes a rate (files, the API, the page, the command).
    Raises Problem with the rule's code.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise Problem("rate_not_a_number", _("is not a number"))
    text = repr(value) if isinstance(value, float) else str(value).strip()
    if not _NUMBER.match(text):
        raise Problem("rate_not_a_number", _("is not a number"))
    rate = Decimal(text)
    if not rate.is_finite():
        raise Problem("rate_not_a_number", _("is not a number"))
    if rate <= 0:
        raise Problem("rate_not_positive", _("must be above 0"))
    if rate > MAX_RATE:
        raise Problem("rate_too_large", _("is too large (at most %(max)s)"), max=MAX_RATE)
    if rate != rate.quantize(Decimal(1).scaleb(-RATE_PLACES)):
        raise Problem(
            "rate_too_many_decimals",
            _("has more than %(places)s decimals"),
            places=RATE_PLACES,
        )
    return rate
