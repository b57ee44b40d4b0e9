"""Money: Decimal amounts with an ISO 4217 currency."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

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

MAX_AMOUNT = Decimal("999999999999.99")


def is_currency(code: str) -> bool:
    """True for an active ISO 4217 code written in capitals."""
    return code in CURRENCIES


def parse_amount(value: object) -> Decimal:
    """A finite Decimal with at most two decimals; raises ValueError otherwise."""
    if isinstance(value, bool | float):
        value = str(value)
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError("is not a number") from exc
    if not amount.is_finite():
        raise ValueError("is not a finite number")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("has more than two decimals")
    if abs(amount) > MAX_AMOUNT:
        raise ValueError("is too large")
    return amount
