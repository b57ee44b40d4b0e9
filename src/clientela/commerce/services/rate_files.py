"""Reading exchange-rate files: the European Central Bank's and a plain long format.

- "ecb": one row per day, one column per currency, rates against the euro. Both files the ECB
  publishes are read: the history (`eurofxref-hist.csv`: `Date,USD,JPY,...` with ISO dates,
  `N/A` where a currency had no rate that day, a trailing comma on every line) and the day's
  file (`eurofxref.csv`: `Date, USD, JPY, ...` and `06 December 2024, 1.0581, ...`).
- "long": `date,currency,rate[,base]`, one rate per row; base EUR when not given.

The whole file is read and checked before anything is written: every problem comes back with
its line, field and value. Nothing here reaches the network: the user downloads the file.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar

from django.utils.translation import gettext_lazy as _

from clientela.core.errors import FieldError, Invalid, Problem
from clientela.core.money import RETIRED_CURRENCIES, is_currency, parse_rate

ECB = "ecb"
LONG = "long"
FORMATS = (ECB, LONG)
ECB_BASE = "EUR"
LONG_HEADER = ("date", "currency", "rate")
# Errors listed in one answer at most (the count says how many there were).
MAX_ERRORS = 100
# Cells of the ECB history that mean "no rate that day".
NO_RATE = frozenset({"", "N/A", "NA", "-"})
T = TypeVar("T")


@dataclass(frozen=True)
class RateRow:
    """One rate read from a file: on `day`, 1 `base` = `rate` `currency`; `line` is 1-based."""

    day: date
    currency: str
    base: str
    rate: Decimal
    line: int


def parse_day(text: str) -> date:
    """An ISO date (2024-12-06) or the ECB daily file's (06 December 2024)."""
    value = text.strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        pass
    try:
        # The ECB writes English month names whatever the reader's language.
        return datetime.strptime(value, "%d %B %Y").date()  # noqa: DTZ007  (a date, no time)
    except ValueError:
        raise Problem(
            "rate_date_invalid", _("is not a date as YYYY-MM-DD or as 06 December 2024")
        ) from None


def parse_currency(text: str) -> str:
    """An ISO 4217 code in use, or one the ECB's history still lists (CYP, EEK, ...)."""
    code = text.strip().upper()
    if not is_currency(code) and code not in RETIRED_CURRENCIES:
        raise Problem("currency_invalid", _("is not an ISO 4217 currency code such as EUR"))
    return code


def detect_format(header: list[str]) -> str:
    """ "long" for a header starting date,currency,rate; "ecb" for Date and currency codes."""
    names = [cell.strip().lower() for cell in header]
    if tuple(names[:3]) == LONG_HEADER:
        return LONG
    if names[:1] == ["date"] and len([n for n in names[1:] if n]) >= 1:
        return ECB
    raise _header_error(header)


def _header_error(header: list[str]) -> Invalid:
    return Invalid(
        FieldError(
            "header",
            ",".join(header),
            _(
                "is neither the ECB's (Date,USD,JPY,...) nor date,currency,rate[,base]; "
                "choose the format with --format ecb|long"
            ),
            code="rates_header_invalid",
            line=1,
        )
    )


def _rows(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """Non-empty CSV rows with their line numbers (commas, or semicolons in a long file)."""
    reader = csv.reader(lines)
    for number, cells in enumerate(reader, start=1):
        if len(cells) == 1 and ";" in cells[0]:
            cells = cells[0].split(";")
        if any(cell.strip() for cell in cells):
            yield number, cells


def read_rates(lines: Iterable[str], *, fmt: str | None = None) -> list[RateRow]:
    """Every rate of the file, checked; Invalid listing each bad cell (line, field, value)."""
    rows = _rows(lines)
    first = next(rows, None)
    if first is None:
        raise Invalid(
            FieldError("file", "", _("holds no rates"), code="rates_file_empty", line=None)
        )
    _number, header = first
    chosen = fmt or detect_format(header)
    if chosen == LONG and tuple(c.strip().lower() for c in header[:3]) != LONG_HEADER:
        raise _header_error(header)
    if chosen == ECB and (not header or header[0].strip().lower() != "date"):
        raise _header_error(header)
    errors: list[FieldError] = []
    found = (
        list(_read_long(rows, header, errors))
        if chosen == LONG
        else list(_read_wide(rows, header, errors))
    )
    _check_repeats(found, errors)
    if errors:
        raise Invalid(
            errors[:MAX_ERRORS],
            _("%(count)s problems in the file; nothing was imported"),
            code="rates_file_invalid",
            params={"count": len(errors)},
        )
    if not found:
        raise Invalid(FieldError("file", "", _("holds no rates"), code="rates_file_empty"))
    return found


def _read_wide(
    rows: Iterator[tuple[int, list[str]]], header: list[str], errors: list[FieldError]
) -> Iterator[RateRow]:
    columns: list[tuple[int, str]] = []
    for index, cell in enumerate(header[1:], start=1):
        name = cell.strip()
        if not name:  # the ECB's trailing comma
            continue
        try:
            columns.append((index, parse_currency(name)))
        except Problem as exc:
            errors.append(exc.at("header", name, line=1))
    for number, cells in rows:
        try:
            day = parse_day(cells[0])
        except Problem as exc:
            errors.append(exc.at("Date", cells[0], line=number))
            continue
        for index, currency in columns:
            text = cells[index].strip() if index < len(cells) else ""
            if text.upper() in NO_RATE or currency == ECB_BASE:
                continue
            try:
                yield RateRow(day, currency, ECB_BASE, parse_rate(text), number)
            except Problem as exc:
                errors.append(exc.at(currency, text, line=number))


def _read_long(
    rows: Iterator[tuple[int, list[str]]], header: list[str], errors: list[FieldError]
) -> Iterator[RateRow]:
    has_base = len(header) > 3 and header[3].strip().lower() == "base"
    for number, given in rows:
        cells = [*given, "", "", ""]
        base_text = cells[3] if has_base and cells[3].strip() else ECB_BASE
        day = _cell(parse_day, "date", cells[0], number, errors)
        currency = _cell(parse_currency, "currency", cells[1], number, errors)
        rate = _cell(parse_rate, "rate", cells[2], number, errors)
        base = _cell(parse_currency, "base", base_text, number, errors)
        if day is None or currency is None or rate is None or base is None:
            continue
        if currency == base:
            errors.append(
                FieldError(
                    "currency",
                    cells[1],
                    _("is the base currency itself; a rate is between two currencies"),
                    code="rate_currency_is_base",
                    line=number,
                )
            )
            continue
        yield RateRow(day, currency, base, rate, number)


def _cell(
    parse: Callable[[str], T], field: str, text: str, line: int, errors: list[FieldError]
) -> T | None:
    """The cell read by `parse`, or None with its problem added to `errors`."""
    try:
        return parse(text)
    except Problem as exc:
        errors.append(exc.at(field, text, line=line))
        return None


def _check_repeats(found: list[RateRow], errors: list[FieldError]) -> None:
    """The same day, currency and base twice with two rates: which one is meant is unknown."""
    seen: dict[tuple[date, str, str], RateRow] = {}
    for row in found:
        key = (row.day, row.currency, row.base)
        earlier = seen.setdefault(key, row)
        if earlier.rate != row.rate:
            errors.append(
                FieldError(
                    row.currency,
                    str(row.rate),
                    _("differs from the rate %(rate)s of the same day on line %(other)s"),
                    code="rate_repeated",
                    params={"rate": str(earlier.rate), "other": earlier.line},
                    line=row.line,
                )
            )
