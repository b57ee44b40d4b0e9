"""How a file writes its dates, times and amounts, and reading its cells in that way.

A file's date columns are in one order (ISO, DD/MM/YYYY or MM/DD/YYYY; DD.MM.YYYY is day-first)
and its amount columns use one decimal mark: given by the user (--date-format, --locale) or
found once per column before the import (`decide_formats`), from the first rows and, when those
leave the question open, the whole column. A date, or a date-time without an offset, is a moment
in the company's time zone (accounts.services.company_settings).

Each cell is then read by a compiled converter: to UTC text ("1997-03-25T00:00:00Z") for the
moments (orders' ordered_at, interactions' occurred_at), to ISO ("1997-03-25") for dates
(birthday, customer_since), to a plain amount ("1234.56") for totals, the money rule being
core.money's. The file's cells themselves are never changed: a rejects file keeps them as
they were written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _

from clientela.core.errors import Problem, invalid
from clientela.core.money import (
    is_plain_number,
    parse_amount,
    read_amount,
)
from clientela.imports.services.problems import RowProblem, short

ISO, DMY, MDY = "ISO", "DD/MM/YYYY", "MM/DD/YYYY"
DATE_FORMATS = (ISO, DMY, MDY, "DD.MM.YYYY")
_ORDERS = {"ISO": ISO, "YYYY-MM-DD": ISO, DMY: DMY, "DD.MM.YYYY": DMY, "DD-MM-YYYY": DMY,
           MDY: MDY, "MM-DD-YYYY": MDY}  # fmt: skip
MOMENTS = frozenset({"ordered_at", "occurred_at"})  # date-times: to UTC
DATES = frozenset({"birthday", "customer_since"})  # calendar dates
AMOUNTS = frozenset({"total"})
# Languages and countries that write a decimal point; the others write a comma.
_POINT_LANGUAGES = frozenset({"en", "zh", "ja", "ko", "he", "th", "hi", "ms", "ga", "cy"})
_POINT_COUNTRIES = frozenset(
    "US GB IE AU NZ CA MX CH LI CN HK TW JP KR IN PH SG MY TH IL PR DO GT HN NI PA SV PE BW NG "
    "KE GH ZA".split()
)

_TIME = (
    r"(?:(?:[T ]|, ?)(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d{1,6}))?)?"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?)?\s*(?P<off>Z|[+-]\d{2}(?::?\d{2})?)?"
)
_YEAR_FIRST = re.compile(r"(?P<y>\d{4})[-/.](?P<a>\d{1,2})[-/.](?P<b>\d{1,2})" + _TIME)
_YEAR_LAST = re.compile(r"(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})[-/.](?P<y>\d{4})" + _TIME)


def date_order(value: str | None) -> str | None:
    """The order named by --date-format (ISO, DD/MM/YYYY, MM/DD/YYYY, DD.MM.YYYY); Invalid
    for another; None when none is given."""
    if value is None or not value.strip():
        return None
    found = _ORDERS.get(value.strip().upper())
    if found is None:
        raise invalid(
            "date_format",
            value,
            _("must be one of: %(formats)s"),
            code="date_format_unknown",
            formats=", ".join(DATE_FORMATS),
        )
    return found


def decimal_mark(locale: str | None) -> str | None:
    """The decimal mark of a locale such as pt-PT, pt_BR, en-US or it; Invalid for a
    language Django does not know; None when none is given."""
    if locale is None or not locale.strip():
        return None
    language, _sep, country = locale.strip().replace("_", "-").partition("-")
    language, country = language.lower(), country.upper()
    if language not in LANG_INFO or (country and not re.fullmatch(r"[A-Z]{2}", country)):
        raise invalid(
            "locale",
            locale,
            _("is not a locale such as pt-PT, es-ES, it-IT, en-GB, en-US or pt-BR"),
            code="locale_unknown",
        )
    if country:
        return "." if country in _POINT_COUNTRIES else ","
    return "." if language in _POINT_LANGUAGES else ","


def country_decimal_mark(country: str) -> str:
    """The decimal mark of a country's own numbers."""
    return "." if country.upper() in _POINT_COUNTRIES else ","


@dataclass(frozen=True)
class CellFormats:
    """How each date, moment and amount column of a file is read (by field)."""

    zone: str  # what a time without an offset means
    dates: dict[str, str] = field(default_factory=dict)  # field -> ISO, DMY or MDY
    decimals: dict[str, str] = field(default_factory=dict)  # field -> "," or "."

    def order(self, target: str) -> str:
        return self.dates.get(target, ISO)

    def decimal(self, target: str) -> str:
        return self.decimals.get(target, ".")

    @cached_property
    def converters(self) -> dict[str, Callable[[str], Any]]:
        """Per field, the cell reader: moments to UTC text, dates to ISO, amounts to a plain
        amount and the currencies of their sign."""
        zone = ZoneInfo(self.zone)
        found: dict[str, Callable[[str], Any]] = {}
        for target in MOMENTS:
            found[target] = moment_reader(self.order(target), zone)
        for target in DATES:
            found[target] = date_reader(self.order(target))
        for target in AMOUNTS:
            found[target] = amount_reader(self.decimal(target))
        return found


def _parts(cell: str, order: str) -> re.Match[str] | None:
    """The cell's parts when it is a date (and time) in this order, or year-first."""
    text = cell.strip()
    if order != ISO and (found := _YEAR_LAST.fullmatch(text)) is not None:
        return found
    return _YEAR_FIRST.fullmatch(text)


def _ymd(found: re.Match[str], order: str) -> tuple[int, int, int]:
    year, a, b = int(found["y"]), int(found["a"]), int(found["b"])
    if "sep" not in found.re.groupindex:  # year first: always year, month, day
        return year, a, b
    return (year, a, b) if order == MDY else (year, b, a)


def _not_in_format(order: str) -> Problem:
    return Problem(
        "date_not_in_format",
        _("is not a date in the form %(format)s (the file's date format)"),
        format=order,
    )


def _impossible() -> Problem:
    return Problem("date_impossible", _("is not a real date"))


def _clock(found: re.Match[str]) -> tuple[int, int, int, int]:
    """Hours, minutes, seconds and microseconds; ValueError for 13 PM and the like."""
    if found["h"] is None:
        return 0, 0, 0, 0
    hour, ampm = int(found["h"]), (found["ampm"] or "").lower()[:1]
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError(hour)
        hour = hour % 12 + (12 if ampm == "p" else 0)
    micro = int(found["f"].ljust(6, "0")) if found["f"] else 0
    return hour, int(found["mi"]), int(found["s"] or 0), micro


def _offset(text: str) -> timezone:
    if text == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
    return timezone(timedelta(minutes=-minutes if text[0] == "-" else minutes))


# The common local time, "25/03/2024 14:30[:05]" or "2024-03-25 14:30[:05]": its first 13
# characters are the date and the hour, converted once per hour (see moment_reader).
_LOCAL_HOUR = {
    ISO: re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d)?", re.ASCII).fullmatch,
    DMY: re.compile(r"\d\d([/.-])\d\d\1\d{4} \d\d:\d\d(?::\d\d)?", re.ASCII).fullmatch,
    MDY: re.compile(r"\d\d([/-])\d\d\1\d{4} \d\d:\d\d(?::\d\d)?", re.ASCII).fullmatch,
}


def moment_reader(order: str, zone: ZoneInfo) -> Callable[[str], str]:
    """A cell to UTC text, YYYY-MM-DDTHH:MM:SS[.ffffff]Z: a date is the start of its day and
    a time without an offset is a time in `zone`. A cell that is not a date in an ISO file is
    given back as it is (the field's own rule names it); in another order it is a Problem.

    Days repeat in a file, and so do the hours of its local times: each is converted once
    (an hour whose every minute is shifted alike, as in every zone whose offsets are whole
    hours; others are converted cell by cell)."""
    known: dict[str, str] = {}
    hours: dict[str, str | None] = {}
    local_hour = _LOCAL_HOUR[order]

    def convert(cell: str) -> str:
        found = _parts(cell, order)
        if found is None:
            if order == ISO:
                return cell
            raise _not_in_format(order)
        try:
            year, month, day = _ymd(found, order)
            hour, minute, second, micro = _clock(found)
            tz = _offset(found["off"]) if found["off"] else zone
            moment = datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
        except ValueError:
            raise _impossible() from None
        utc = moment.astimezone(UTC)
        text = f"{utc:%Y-%m-%dT%H:%M:%S}" + (f".{utc.microsecond:06d}Z" if micro else "Z")
        if found["h"] is None and len(known) < 100_000:  # days repeat; times rarely do
            known[cell] = text
        return text

    def utc_hour(key: str) -> str | None:
        """The UTC date and hour of a local date and hour, when all its minutes shift alike."""
        first, last = convert(key + ":00:00"), convert(key + ":59:59")
        if first[:13] == last[:13] and first[13:] == ":00:00Z" and last[13:] == ":59:59Z":
            return first[:13]
        return None

    def read(cell: str) -> str:
        if (done := known.get(cell)) is not None:
            return done
        if local_hour(cell) is not None:
            key = cell[:13]
            if key not in hours and len(hours) < 200_000:
                try:
                    hours[key] = utc_hour(key)
                except ValueError:  # 30/02: the cell's own reading names it
                    hours[key] = None
            if (prefix := hours.get(key)) is not None:
                return prefix + (cell[13:] if len(cell) == 19 else cell[13:] + ":00") + "Z"
        return convert(cell)

    return read


def date_reader(order: str) -> Callable[[str], str]:
    """A cell to an ISO date (YYYY-MM-DD); in an ISO file a cell that is not one is given
    back as it is (--MM-DD, say, for a birthday without its year)."""

    def read(cell: str) -> str:
        found = _parts(cell, order)
        if found is None or found["h"] is not None:
            if order == ISO:
                return cell
            raise _not_in_format(order)
        try:
            return date(*_ymd(found, order)).isoformat()
        except ValueError:
            raise _impossible() from None

    return read


def amount_reader(decimal: str) -> Callable[[str], tuple[str, frozenset[str] | None]]:
    """A cell to a plain amount ("1234.56") and the currencies its sign stands for."""

    known: dict[str, tuple[str, frozenset[str] | None]] = {}  # prices repeat

    def read(cell: str) -> tuple[str, frozenset[str] | None]:
        if (done := known.get(cell)) is not None:
            return done
        if decimal == "." and is_plain_number(cell):  # "12.5", "1.5e2": the API's own reading
            found: tuple[str, frozenset[str] | None] = (str(parse_amount(cell)), None)
        else:
            amount, currencies = read_amount(cell, decimal=decimal)
            found = (str(amount), currencies)
        if len(known) < 100_000:
            known[cell] = found
        return found

    return read


def apply_formats(
    values: dict[str, Any], formats: CellFormats, column_of: dict[str, str], row: int
) -> list[RowProblem]:
    """Read the row's date, moment and amount values in the file's formats, in place; the
    problems of those that cannot be read. A currency sign that is not the row's currency
    is a problem; with no currency given, a sign that names one currency gives it."""
    problems: list[RowProblem] = []
    converters = formats.converters
    for target in values.keys() & converters.keys():
        value = values[target]
        if not isinstance(value, str):
            continue
        try:
            converted = converters[target](value)
        except Problem as exc:
            problems.append(_problem(row, column_of.get(target, target), value, exc))
            continue
        if target not in AMOUNTS:
            values[target] = converted
            continue
        values[target], signs = converted
        if signs is None:
            continue
        currency = str(values.get("currency", "")).strip().upper()
        if not currency and len(signs) == 1:
            values["currency"] = next(iter(signs))
        elif currency and currency not in signs:
            problems.append(
                _problem(
                    row,
                    column_of.get(target, target),
                    value,
                    Problem(
                        "amount_currency_mismatch",
                        _("is written in %(sign)s, which is not the row's currency %(currency)s"),
                        sign=", ".join(sorted(signs)),
                        currency=currency,
                    ),
                )
            )
    return problems


def _problem(row: int, column: str, value: Any, problem: Problem) -> RowProblem:
    return RowProblem(
        row, column, short(value), problem.message, code=problem.code, params=problem.params
    )
