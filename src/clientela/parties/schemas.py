"""API and form schemas for parties: what may be written, and what is returned."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import available_timezones

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from clientela.core.errors import Problem
from clientela.core.ids import Id
from clientela.parties.models import (
    ContactKind,
    KeyDateKind,
    OrganizationLevel,
    PartyKind,
    RelationshipRole,
)
from clientela.parties.services.identity import normalize_contact, phones_in_address_country
from clientela.parties.services.tags import distinct_tags

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")
_TAG = re.compile(r"^[\w][\w .:/&+-]{0,49}$")
_TIMEZONES = frozenset(available_timezones())


class StrictSchema(Schema):
    """Unknown fields are refused, so nothing undeclared can be written."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def check_language(value: str) -> str:
    """A language code such as 'en' or 'pt-BR' (empty: none chosen)."""
    if value and not _LANGUAGE.match(value):
        raise Problem("language_invalid", _("is not a language code such as “en” or “pt-BR”"))
    return value


def check_timezone(value: str) -> str:
    """An IANA time zone name such as 'Europe/Lisbon' (empty: none chosen)."""
    if value and value not in _TIMEZONES:
        raise Problem("timezone_invalid", _("is not a time zone such as “Europe/Lisbon”"))
    return value


def check_tags(values: list[str]) -> list[str]:
    """The tags sorted, each once ("VIP" and "vip" are one tag: the first spelling is kept);
    each must be 1-50 letters, digits, spaces or . : / & + -."""
    for tag in values:
        if not _TAG.match(tag):
            raise Problem(
                "tag_invalid",
                _("each tag must be 1-50 letters, digits, spaces or . : / & + -"),
                tag=tag,
            )
    return distinct_tags(values)


def check_period(until: date | None, info: ValidationInfo) -> date | None:
    """`until` may not come before `since` (declared first, so already validated)."""
    since = info.data.get("since")
    if until is not None and since is not None and until < since:
        raise Problem(
            "period_reversed",
            _("must not be before “since”"),
            since=since.isoformat(),
        )
    return until


class RoleIn(StrictSchema):
    role: RelationshipRole
    since: date | None = None
    until: date | None = None

    _period = field_validator("until")(check_period)


class ContactPointIn(StrictSchema):
    kind: ContactKind
    # Before the value: a phone number without its country code is read in this country
    # (else in the party's address country, else in the company's).
    country: str = Field(default="", max_length=2, pattern=r"^([A-Z]{2})?$")
    value: str = Field(min_length=1, max_length=500)
    label: str = Field(default="", max_length=50)
    is_primary: bool = False
    street: str = Field(default="", max_length=200)
    locality: str = Field(default="", max_length=100)
    region: str = Field(default="", max_length=100)
    postal_code: str = Field(default="", max_length=20)

    @field_validator("value")
    @classmethod
    def _value(cls, value: str, info: ValidationInfo) -> str:
        kind = info.data.get("kind")
        if kind is not None:
            # Raises Problem with the rule's code.
            normalize_contact(kind, value, info.data.get("country") or None)
        return value


class KeyDateIn(StrictSchema):
    kind: KeyDateKind
    label: str = Field(default="", max_length=100)
    year: int | None = Field(default=None, ge=1850, le=2200)
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)

    @field_validator("day")
    @classmethod
    def _real_day(cls, day: int, info: ValidationInfo) -> int:
        year, month = info.data.get("year"), info.data.get("month")
        if month is None:
            return day  # the month's own error is reported
        try:
            date(year or 2000, month, day)  # 2000 is a leap year: 29 Feb is fine
        except ValueError as exc:
            shown = f"{year:04d}-" if year else "--"  # --MM-DD: ISO 8601 without a year
            raise Problem(
                "key_date_invalid",
                _("is not a real date"),
                date=f"{shown}{month:02d}-{day:02d}",
            ) from exc
        return day


class AffiliationIn(StrictSchema):
    organization_id: Id
    title: str = Field(default="", max_length=150)
    since: date | None = None
    until: date | None = None

    _period = field_validator("until")(check_period)


class PartyFields(StrictSchema):
    """Fields shared by create and update, all optional here."""

    given_name: str | None = Field(default=None, max_length=100)
    family_name: str | None = Field(default=None, max_length=100)
    organization_name: str | None = Field(default=None, max_length=200)
    external_id: str | None = Field(default=None, max_length=100)
    language: str | None = None
    timezone: str | None = None
    owner_id: Id | None = None
    team_id: Id | None = None
    parent_id: Id | None = None
    organization_level: OrganizationLevel | None = None
    tags: list[str] | None = Field(default=None, max_length=50)
    custom: dict[str, Any] | None = None
    notes: str | None = Field(default=None, max_length=20000)
    roles: list[RoleIn] | None = Field(default=None, max_length=50)
    contact_points: list[ContactPointIn] | None = Field(default=None, max_length=50)
    key_dates: list[KeyDateIn] | None = Field(default=None, max_length=50)
    affiliations: list[AffiliationIn] | None = Field(default=None, max_length=50)

    @field_validator("contact_points", mode="before")
    @classmethod
    def _phones_in_the_address_country(cls, points: Any) -> Any:
        """A phone given without a country is read in the party's address country."""
        if not isinstance(points, list):
            return points
        return phones_in_address_country(points)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return check_language(value) if value else value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return check_timezone(value) if value else value

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str] | None) -> list[str] | None:
        return check_tags(value) if value is not None else value

    @field_validator("contact_points")
    @classmethod
    def _one_primary_per_kind(cls, points: list[ContactPointIn] | None) -> Any:
        if points is None:
            return points
        seen: set[str] = set()
        for point in points:
            if point.is_primary:
                if point.kind in seen:
                    raise Problem(
                        "primary_contact_repeated",
                        _("only one contact point of each kind can be primary"),
                        kind=point.kind,
                    )
                seen.add(point.kind)
        return points


class PartyCreate(PartyFields):
    """A new party; services.create_party checks that it has a name, naming the field."""

    kind: PartyKind


class PartyUpdate(PartyFields):
    """Only the fields sent are changed; a list sent replaces the whole list."""


class Ref(Schema):
    id: int
    name: str


class RoleOut(Schema):
    role: str
    since: date | None
    until: date | None


class ContactPointOut(Schema):
    id: int
    kind: str
    label: str
    value: str
    normalized: str
    is_primary: bool
    street: str
    locality: str
    region: str
    postal_code: str
    country: str


class KeyDateOut(Schema):
    kind: str
    label: str
    year: int | None
    month: int
    day: int


class AffiliationOut(Schema):
    organization: Ref
    title: str
    since: date | None
    until: date | None


class PartyOut(Schema):
    id: int
    kind: str
    display_name: str
    given_name: str
    family_name: str
    organization_name: str
    external_id: str | None
    language: str
    timezone: str
    owner: Ref | None
    team: Ref | None
    parent: Ref | None
    organization_level: str
    tags: list[str]
    custom: dict[str, Any]
    notes: str
    roles: list[RoleOut]
    contact_points: list[ContactPointOut]
    key_dates: list[KeyDateOut]
    affiliations: list[AffiliationOut]
    created_at: datetime
    updated_at: datetime


class PartySummaryOut(Schema):
    """A list row: enough to find the party, without its nested collections."""

    id: int
    kind: str
    display_name: str
    external_id: str | None
    owner: Ref | None
    team: Ref | None
    roles: list[str]
    tags: list[str]
    primary_email: str | None
    primary_phone: str | None
    created_at: datetime
    updated_at: datetime
