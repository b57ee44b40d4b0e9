"""Finding how a file writes its dates and amounts: once per column, before the import.

The first rows decide when they can (a date such as 25/03/2024 reads only day first, an amount
such as 1.234,56 only with a decimal comma); when they leave a column open, the rest of it is
read too. A date column that reads both ways everywhere, or that mixes the two orders, fails
the whole file, naming the column and the option that settles it; so does an amount column
that mixes decimal marks. An amount column that never says is read as the company's country
writes numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.accounts.services import company_settings
from clientela.core.errors import FieldError, Invalid
from clientela.core.money import decimal_mark_of, split_amount
from clientela.imports.services.formats import (
    _YEAR_LAST,
    AMOUNTS,
    DATES,
    DMY,
    ISO,
    MDY,
    MOMENTS,
    CellFormats,
    country_decimal_mark,
    date_order,
    decimal_mark,
)
from clientela.imports.services.mapping import Mapping
from clientela.imports.services.reading import NDJSON, Table

# The first rows decide; the rest of a column is read only when they leave it open.
SAMPLE_ROWS = 2000


def check_formats(date_format: str | None, locale: str | None) -> None:
    """Invalid when the date format or the locale asked for is not one an import reads."""
    date_order(date_format)
    decimal_mark(locale)


def detect_formats(
    table: Table, mapping: Mapping, *, date_format: str | None, locale: str | None
) -> tuple[CellFormats, bool]:
    """The formats of the mapped file, and whether its rows were read to find them (then the
    caller reads the file again from its start)."""
    ndjson = table.format == NDJSON
    order, decimal = date_order(date_format), decimal_mark(locale)
    columns: dict[str, tuple[str, int | str]] = {
        target: (column, column if ndjson else position)
        for position, (column, target) in enumerate(
            zip(mapping.columns, mapping.targets, strict=True)
        )
        if target in MOMENTS | DATES | AMOUNTS
    }
    read = (order is None and any(t in MOMENTS | DATES for t in columns)) or (
        decimal is None and any(t in AMOUNTS for t in columns)
    )
    company = company_settings()
    formats = decide_formats(
        table.rows if read else iter(()),
        columns,
        order=order,
        decimal=decimal,
        zone=company.time_zone,
        country=company.country,
    )
    return formats, read


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
