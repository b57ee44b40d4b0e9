"""When a customer may be called: the company's calling hours in the customer's time zone,
minus their quiet hours, on working days that are not public holidays of their country."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import phonenumbers
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from clientela.analytics.services.config import SettingError
from clientela.parties.models import ContactKind, ContactPoint

DAY_MINUTES = 24 * 60


@dataclass(frozen=True)
class CallingRules:
    """Calling hours (local, on working days) and the weekdays that are working days (0=Mon)."""

    start: time
    end: time
    weekdays: frozenset[int]


def _clock(text: str) -> time:
    hours, _sep, minutes = text.strip().partition(":")
    return time(int(hours), int(minutes or 0))


@functools.cache
def _parse_rules(hours: str, days: str) -> CallingRules:
    try:
        first, _sep, last = hours.partition("-")
        start, end = _clock(first), _clock(last)
    except ValueError:
        start = end = time(0)
    if start >= end:
        raise SettingError(
            "calling_hours_setting_invalid",
            _("CLIENTELA_CALLING_HOURS: %(value)r must be HH:MM-HH:MM, the start before the end"),
            value=hours,
        )
    parts = [d.strip() for d in days.split(",") if d.strip()]
    if not parts or not all(d.isdigit() and int(d) < 7 for d in parts):
        raise SettingError(
            "calling_days_setting_invalid",
            _("CLIENTELA_CALLING_DAYS: %(value)r must list weekday numbers, 0 (Monday) to 6"),
            value=days,
        )
    return CallingRules(start, end, frozenset(int(d) for d in parts))


def calling_rules() -> CallingRules:
    """The company's calling hours and working days, from the settings."""
    return _parse_rules(settings.CLIENTELA_CALLING_HOURS, settings.CLIENTELA_CALLING_DAYS)


def party_country(points: list[ContactPoint]) -> str:
    """The party's country: its (primary) postal address's, else its phone number's region,
    else the company's (CLIENTELA_DEFAULT_PHONE_REGION)."""
    ordered = sorted(points, key=lambda p: (not p.is_primary, p.pk or 0))
    for point in ordered:
        if point.kind == ContactKind.ADDRESS and point.country:
            return point.country.upper()
    for point in ordered:
        if point.kind == ContactKind.PHONE:
            try:
                number = phonenumbers.parse(point.normalized or point.value, None)
            except phonenumbers.NumberParseException:
                continue
            region = phonenumbers.region_code_for_number(number)
            if region and region != "ZZ":
                return region
    return str(settings.CLIENTELA_DEFAULT_PHONE_REGION).upper()


@functools.cache
def _holidays(country: str, year: int) -> frozenset[date]:
    try:
        return frozenset(holidays.country_holidays(country, years=year))
    except NotImplementedError:  # a country the holidays package does not know: none
        return frozenset()


def is_public_holiday(country: str, day: date) -> bool:
    return day in _holidays(country, day.year)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _quiet_spans(quiet_start: time | None, quiet_end: time | None) -> list[tuple[int, int]]:
    if quiet_start is None or quiet_end is None or quiet_start == quiet_end:
        return []
    start, end = _minutes(quiet_start), _minutes(quiet_end)
    if start < end:
        return [(start, end)]
    return [(start, DAY_MINUTES), (0, end)]  # spans midnight, e.g. 21:00-08:00


def daily_window(
    rules: CallingRules, quiet_start: time | None, quiet_end: time | None
) -> tuple[time, time] | None:
    """The longest stretch of the calling hours outside the quiet hours (local), or None."""
    pieces = [(_minutes(rules.start), _minutes(rules.end))]
    for q_start, q_end in _quiet_spans(quiet_start, quiet_end):
        cut = []
        for start, end in pieces:
            if q_end <= start or q_start >= end:
                cut.append((start, end))
                continue
            if start < q_start:
                cut.append((start, q_start))
            if q_end < end:
                cut.append((q_end, end))
        pieces = cut
    if not pieces:
        return None
    start, end = max(pieces, key=lambda span: (span[1] - span[0], -span[0]))
    end = min(end, DAY_MINUTES - 1)  # a window never runs past 23:59
    return time(start // 60, start % 60), time(end // 60, end % 60)


def calling_days(first: date, last: date, *, rules: CallingRules, country: str) -> Iterator[date]:
    """The working days from `first` to `last` that are not public holidays in `country`."""
    day = first
    while day <= last:
        if day.weekday() in rules.weekdays and not is_public_holiday(country, day):
            yield day
        day += timedelta(days=1)


def window_on(day: date, span: tuple[time, time], zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The calling window of a local day, as aware moments."""
    return (
        datetime.combine(day, span[0], tzinfo=zone),
        datetime.combine(day, span[1], tzinfo=zone),
    )
