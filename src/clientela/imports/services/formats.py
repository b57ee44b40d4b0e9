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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cached_property
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _

from clientela.core.errors import FieldError, Invalid, Problem, invalid
from clientela.core.money import (
    decimal_mark_of,
    is_plain_number,
    parse_amount,
    read_amount,
    split_amount,
)
from clientela.imports.services.problems import RowProblem, short

ISO, DMY, MDY = "ISO", "DD/MM/YYYY", "MM/DD/YYYY"
DATE_FORMATS = (ISO, DMY, MDY, "DD.MM.YYYY")
_ORDERS = {"ISO": ISO, "YYYY-MM-DD": ISO, DMY: DMY, "DD.MM.YYYY": DMY, "DD-MM-YYYY": DMY,
           MDY: MDY, "MM-DD-YYYY": MDY}  # fmt: skip
MOMENTS = frozenset({"ordered_at", "occurred_at"})  # date-times: to UTC
DATES = frozenset({"birthday", "customer_since"})  # calendar dates
AMOUNTS = frozenset({"total"})
# The first rows decide; the rest of a column is read only when they leave it open.
SAMPLE_ROWS = 2000
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


def moment_reader(order: str, zone: ZoneInfo) -> Callable[[str], str]:
    """A cell to UTC text, YYYY-MM-DDTHH:MM:SS[.ffffff]Z: a date is the start of its day and
    a time without an offset is a time in `zone`. A cell that is not a date in an ISO file is
    given back as it is (the field's own rule names it); in another order it is a Problem."""
    known: dict[str, str] = {}

    def read(cell: str) -> str:
        if (done := known.get(cell)) is not None:
            return done
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

    def read(cell: str) -> tuple[str, frozenset[str] | None]:
        if decimal == "." and is_plain_number(cell):  # "12.5", "1.5e2": the API's own reading
            return str(parse_amount(cell)), None
        amount, currencies = read_amount(cell, decimal=decimal)
        return str(amount), currencies

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


# -- finding a file's formats ------------------------------------------------------------


@dataclass
class _DateEvidence:
    """What a date column's cells say of their order."""

    day_first: str | None = None  # a cell that reads only day-first (25/03/2024)
    month_first: str | None = None  # a cell that reads only month-first (03/25/2024)
    open: str | None = None  # a cell that reads both ways (03/04/2024)

    def see(self, cell: str) -> None:
        found = _YEAR_LAST.fullmatch(cell.strip())
        if found is None:
            return
        a, b = int(found["a"]), int(found["b"])
        if found["sep"] == "." or (a > 12 and b <= 12):  # DD.MM.YYYY is day-first
            self.day_first = self.day_first or cell
        elif b > 12 and a <= 12:
            self.month_first = self.month_first or cell
        elif a != b:
            self.open = self.open or cell

    @property
    def decided(self) -> bool:
        return bool(self.day_first or self.month_first or not self.open)


@dataclass
class _AmountEvidence:
    """What an amount column's cells say of their decimal mark."""

    marks: dict[str, str] = field(default_factory=dict)  # mark -> a cell showing it
    open: str | None = None  # a cell such as 1,234 that reads either way

    def see(self, cell: str) -> None:
        split = split_amount(cell)
        if split is None:
            return
        mark = decimal_mark_of(split[0])
        if mark is not None:
            self.marks.setdefault(mark, cell)
        elif "," in split[0] or "." in split[0]:
            self.open = self.open or cell

    @property
    def decided(self) -> bool:
        return bool(self.marks or not self.open)


def decide_formats(
    rows: Iterator[Any],
    columns: dict[str, tuple[str, int | str]],
    *,
    order: str | None,
    decimal: str | None,
    zone: str,
    country: str,
) -> CellFormats:
    """The formats of the file's date, moment and amount columns (`columns`: field -> the
    column's name and where its cell is: the position in a CSV row, or the key in an NDJSON
    record), reading its rows as far as needed. Invalid names a column whose dates read both
    day-first and month-first, or that mixes the two, and one whose amounts mix decimal
    marks."""
    dated = {t: c for t, c in columns.items() if t in MOMENTS | DATES}
    money = {t: c for t, c in columns.items() if t in AMOUNTS}
    dates: dict[str, _DateEvidence] = {} if order else {t: _DateEvidence() for t in dated}
    amounts: dict[str, _AmountEvidence] = {} if decimal else {t: _AmountEvidence() for t in money}
    if dates or amounts:
        _look(islice(rows, SAMPLE_ROWS), columns, dates, amounts)
        seen: list[_DateEvidence | _AmountEvidence] = [*dates.values(), *amounts.values()]
        if not all(e.decided for e in seen):
            _look(rows, columns, dates, amounts)  # the rest of the file
    errors: list[FieldError] = []
    found_dates = dict.fromkeys(dated, order) if order else {}
    for target, evidence in dates.items():
        found_dates[target] = _date_order(evidence, columns[target][0], errors)
    found_marks = dict.fromkeys(money, decimal) if decimal else {}
    for target, marks in amounts.items():
        found_marks[target] = _mark(marks, columns[target][0], country, errors)
    if errors:
        raise Invalid(errors)
    return CellFormats(zone, dates=found_dates, decimals=found_marks)


def _look(
    rows: Iterable[Any],
    columns: dict[str, tuple[str, int | str]],
    dates: dict[str, _DateEvidence],
    amounts: dict[str, _AmountEvidence],
) -> None:
    evidence: list[tuple[str, _DateEvidence | _AmountEvidence]] = [
        *dates.items(),
        *amounts.items(),
    ]
    watched = [(t, columns[t][1], e.see) for t, e in evidence]
    for row in rows:
        cells = row.cells if row.cells is not None else row.record
        if cells is None:
            continue
        for _target, where, see in watched:
            try:
                value = cells[where]
            except (IndexError, KeyError, TypeError):
                continue
            if isinstance(value, str) and value:
                see(value)


def _date_order(evidence: _DateEvidence, column: str, errors: list[FieldError]) -> str:
    """The column's order; ISO, with an error, when it cannot be told."""
    if evidence.day_first and evidence.month_first:
        errors.append(
            FieldError(
                "date_format",
                f"{evidence.day_first} / {evidence.month_first}",
                _(
                    "column “%(column)s” mixes day-first dates (%(day_first)s) and "
                    "month-first dates (%(month_first)s): correct the file, or choose the "
                    "date format with --date-format (on the import page: Date format) to "
                    "refuse the others"
                ),
                code="date_formats_mixed",
                params={
                    "column": column,
                    "day_first": evidence.day_first,
                    "month_first": evidence.month_first,
                },
            )
        )
        return ISO
    if evidence.day_first:
        return DMY
    if evidence.month_first:
        return MDY
    if evidence.open:
        errors.append(
            FieldError(
                "date_format",
                evidence.open,
                _(
                    "column “%(column)s” holds dates such as %(example)s that read both as "
                    "DD/MM/YYYY and MM/DD/YYYY: say which with --date-format DD/MM/YYYY or "
                    "--date-format MM/DD/YYYY (on the import page: Date format)"
                ),
                code="date_format_ambiguous",
                params={"column": column, "example": evidence.open},
            )
        )
        return ISO
    return ISO


def _mark(seen: _AmountEvidence, column: str, country: str, errors: list[FieldError]) -> str:
    if len(seen.marks) > 1:
        errors.append(
            FieldError(
                "locale",
                f"{seen.marks[',']} / {seen.marks['.']}",
                _(
                    "column “%(column)s” mixes amounts with a decimal comma (%(comma)s) and "
                    "with a decimal point (%(point)s): say which the file uses with --locale "
                    "(such as pt-PT or en-US; on the import page: Number format)"
                ),
                code="decimal_marks_mixed",
                params={"column": column, "comma": seen.marks[","], "point": seen.marks["."]},
            )
        )
        return "."
    if seen.marks:
        return next(iter(seen.marks))
    # Only numbers such as 1,234 or 1.234: the company's country says how it writes them.
    return country_decimal_mark(country) if seen.open else "."
