"""The pages' filters for dates, numbers and money (core/templatetags/clientela_formats.py):
the month in words, in the reader's language, never "1/11"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from clientela.core.templatetags import clientela_formats as f

NOVEMBER_1 = date(2026, 11, 1)


@dataclass
class KeyDay:
    day: int
    month: int
    year: int | None = None


@pytest.mark.parametrize(
    ("language", "written"),
    [
        ("en", "1 November 2026"),
        ("pt", "1 de novembro de 2026"),
        ("es", "1 de noviembre de 2026"),
        ("it", "1 novembre 2026"),
    ],
)
def test_a_day_is_written_with_the_month_in_words(language: str, written: str) -> None:
    with translation.override(language):
        assert f.day(NOVEMBER_1) == written


@pytest.mark.parametrize(
    ("language", "birthday", "with_year"),
    [
        ("en", "1 November", "1 November 1980"),
        ("pt", "1 de novembro", "1 de novembro de 1980"),
        ("es", "1 de noviembre", "1 de noviembre de 1980"),
        ("it", "1 novembre", "1 novembre 1980"),
    ],
)
def test_a_key_date_is_day_and_month_with_the_year_when_known(
    language: str, birthday: str, with_year: str
) -> None:
    with translation.override(language):
        assert f.key_date(KeyDay(1, 11)) == birthday
        assert f.key_date(KeyDay(1, 11, 1980)) == with_year


def test_the_29th_of_february_without_a_year_is_a_key_date() -> None:
    with translation.override("en"):
        assert f.key_date(KeyDay(29, 2)) == "29 February"
        assert f.key_date(KeyDay(31, 2)) == ""  # no such day


@pytest.mark.parametrize(
    ("language", "written"),
    [("en", "1 Nov 2026"), ("pt", "1 nov 2026"), ("es", "1 nov 2026"), ("it", "1 nov 2026")],
)
def test_a_short_day_abbreviates_the_month_and_never_writes_slashes(
    language: str, written: str
) -> None:
    with translation.override(language):
        assert f.short_day(NOVEMBER_1) == written
        assert "/" not in f.short_day(NOVEMBER_1)


def test_a_moment_is_shown_in_the_readers_time_zone() -> None:
    moment = datetime(2026, 11, 1, 23, 30, tzinfo=UTC)
    with translation.override("pt"), timezone.override("Europe/Lisbon"):
        assert f.when(moment) == "1 nov 2026, 23:30"
    with translation.override("en"), timezone.override("Asia/Tokyo"):
        assert f.when(moment) == "2 Nov 2026, 08:30"
        assert f.day(moment) == "2 November 2026"


@pytest.mark.parametrize(
    ("language", "number", "two_places", "share"),
    [
        ("en", "1,234,567", "1,234,567.50", "87%"),
        ("pt", "1.234.567", "1.234.567,50", "87\u00a0%"),
        ("it", "1.234.567", "1.234.567,50", "87\u00a0%"),
    ],
)
def test_numbers_are_grouped_as_the_reader_writes_them(
    language: str, number: str, two_places: str, share: str
) -> None:
    with translation.override(language):
        assert f.number(Decimal("1234567.4")) == number
        assert f.number(Decimal("1234567.5"), 2) == two_places
        assert f.percent(0.8712) == share


def test_nothing_is_written_for_no_value() -> None:
    assert f.day(None) == f.short_day("") == f.when(None) == f.key_date(None) == ""
    assert f.number(None) == f.percent("") == ""


def test_the_filters_are_one_template_library_with_money() -> None:
    page = Template(
        "{% load clientela_formats %}{{ d|day }} · {{ t|money:'EUR' }} · {{ n|number }}"
    )
    with translation.override("pt"):
        text = page.render(Context({"d": NOVEMBER_1, "t": Decimal("1234.5"), "n": 12345}))
    assert text == "1 de novembro de 2026 · 1.234,50\u00a0€ · 12.345"
