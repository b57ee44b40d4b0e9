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


# Currency signs as files write them, and the currencies each may stand for ("$" is many
# dollars and pesos: a row in CAD may write "$"). An ISO code may be written in their place.
CURRENCY_SIGNS: dict[str, frozenset[str]] = {
    "R$": frozenset({"BRL"}),
    "US$": frozenset({"USD"}),
    "€": frozenset({"EUR"}),
    "£": frozenset({"GBP", "EGP", "FKP", "GIP", "SHP"}),
    "$": frozenset({"USD", "CAD", "AUD", "NZD", "MXN", "SGD", "HKD", "ARS", "CLP", "COP"}),
    "¥": frozenset({"JPY", "CNY"}),
    "₹": frozenset({"INR"}),
    "zł": frozenset({"PLN"}),
    "kr": frozenset({"SEK", "NOK", "DKK", "ISK"}),
    "Fr.": frozenset({"CHF"}),
}
# Spaces that group digits or part a sign from the number: space, no-break, narrow no-break.
_GROUP_SPACES = " \u00a0\u202f"
_SIGN = re.compile(
    r"^(?P<before>R\$|US\$|€|£|\$|¥|₹|zł|kr|Fr\.|[A-Z]{3})?[ \u00a0\u202f]*"
    r"(?P<number>[0-9][0-9., \u00a0\u202f']*)"
    r"[ \u00a0\u202f]*(?P<after>R\$|US\$|€|£|\$|¥|₹|zł|kr|Fr\.|[A-Z]{3})?$"
)
# A number whose groups of three digits are parted by `group`, with `decimal` before its
# cents: built for the two decimal marks.
_GROUPED = {
    mark: re.compile(
        rf"^\d{{1,3}}(?:[{re.escape(group)}]\d{{3}})+(?:{re.escape(mark)}\d+)?$|"
        rf"^\d+(?:{re.escape(mark)}\d+)?$"
    )
    for mark, group in ((",", ". \u00a0\u202f'"), (".", ", \u00a0\u202f'"))
}


def is_plain_number(text: str) -> bool:
    """True for a number as a program writes it (digits, a point, an exponent)."""
    return _NUMBER.match(text.strip()) is not None


def split_amount(text: str) -> tuple[str, frozenset[str] | None] | None:
    """The number of an amount as written ('€ 1.234,56' -> '1.234,56') and the currencies its
    sign or code stands for (None when it has none); None when it is not an amount at all."""
    found = _SIGN.match(text.strip())
    if found is None or (found["before"] and found["after"]):
        return None
    sign = found["before"] or found["after"]
    if sign is None:
        return found["number"].strip(_GROUP_SPACES), None
    currencies = CURRENCY_SIGNS.get(sign) or (frozenset({sign}) if is_currency(sign) else None)
    if currencies is None:
        return None
    return found["number"].strip(_GROUP_SPACES), currencies


def read_amount(text: str, *, decimal: str) -> tuple[Decimal, frozenset[str] | None]:
    """An amount as people write it, with `decimal` ("," or ".") as its decimal mark:
    '€ 12,50', '12,50 €', '$1,234.56', 'R$ 1.234,56', '1 234,56 EUR'. The digits' groups and
    the sign come off; the number is then held to parse_amount's rule (the one money rule).
    Also returns the currencies the sign stands for (None without one). Raises Problem."""
    split = split_amount(text)
    if split is None:
        raise Problem("amount_not_a_number", _("is not a number"))
    if not _GROUPED[decimal].match(split[0]):
        raise Problem(
            "amount_unreadable",
            _("is not an amount written with “%(decimal)s” as the decimal mark"),
            decimal=decimal,
        )
    number, currencies = split
    plain = "".join(c for c in number if c.isdigit() or c == decimal).replace(decimal, ".")
    return parse_amount(plain), currencies


def decimal_mark_of(number: str) -> str | None:
    """Which decimal mark a written number shows, if it shows one: '1.234,56' and '12,5' say
    ","; '1,234.56' and '12.50' say "."; '1,234', '1.234' and '12' say nothing."""
    commas, points = number.count(","), number.count(".")
    if commas and points:
        return "," if number.rfind(",") > number.rfind(".") else "."
    for mark, count, other in ((",", commas, "."), (".", points, ",")):
        if count > 1:
            return other  # the mark repeats: it parts thousands
        if count == 1 and len(number) - number.rfind(mark) - 1 != 3:
            return mark
    return None


# How a page writes a currency: its sign where one is unambiguous enough to read, else its code.
_SHOWN_SIGNS = {"EUR": "€", "GBP": "£", "USD": "US$", "BRL": "R$", "JPY": "¥"}
# Languages that write the sign before the number ("€1,234.56"); the others after it
# ("1.234,56 €"), parted by a no-break space.
_SIGN_FIRST = frozenset({"en"})


def format_money(
    amount: Decimal | float | int, currency: str, *, language: str, places: int = MONEY_PLACES
) -> str:
    """An amount as a reader of `language` writes it: "€1,234.56" (en), "1.234,56 €" (pt,
    es, it); thousands grouped and two decimals (or `places`: 0 for "€1,084,487"), the digits
    per Django's format modules."""
    from django.utils import formats, translation

    with translation.override(language):
        number = formats.number_format(
            Decimal(amount).quantize(Decimal(1).scaleb(-places)), decimal_pos=places,
            use_l10n=True, force_grouping=True,
        )  # fmt: skip
    sign = _SHOWN_SIGNS.get(currency, currency)
    if language.split("-")[0] in _SIGN_FIRST:
        return f"{sign}\u00a0{number}" if sign.isalpha() else f"{sign}{number}"
    return f"{number}\u00a0{sign}"


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
