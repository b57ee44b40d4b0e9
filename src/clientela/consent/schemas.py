"""API and form schemas for consent, preferences, sign-ups and privacy requests."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Self

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import EmailStr, Field, field_validator, model_validator

from clientela.consent.models import (
    CONSENT_PURPOSES,
    CONTACT_CHANNELS,
    ConsentChannel,
    ConsentStatus,
    LegalBasis,
    Purpose,
    RequestKind,
)
from clientela.core.errors import Problem
from clientela.core.ids import Id
from clientela.core.validation import Instant
from clientela.parties.schemas import StrictSchema, check_language

_TOPIC = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
# Sources a staff member or an integration may claim through the API.
API_SOURCES = ("api", "import", "staff", "web_form")
# What staff do with a privacy request.
REQUEST_ACTIONS = ("complete", "reject")


class WordingIn(StrictSchema):
    text: str = Field(min_length=1, max_length=10000)
    version: str = Field(default="", max_length=50)
    language: str = Field(default="", max_length=8)

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        return check_language(value)


class ConsentCreate(StrictSchema):
    purpose: Purpose
    channel: ConsentChannel
    status: ConsentStatus
    legal_basis: LegalBasis = LegalBasis.CONSENT
    source: str = Field(default="api", description="api, import, staff or web_form")
    wording: WordingIn | None = None
    wording_sha256: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{64}$")
    recorded_at: Instant | None = None
    note: str = Field(default="", max_length=300)

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        if value not in API_SOURCES:
            raise Problem(
                "consent_source_invalid",
                _("must be one of %(allowed)s"),
                allowed=", ".join(API_SOURCES),
            )
        return value

    @field_validator("recorded_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise Problem(
                "timezone_missing",
                _("%(value)s needs a time zone offset, such as Z or +01:00"),
                value=value.isoformat(),
            )
        return value

    @model_validator(mode="after")
    def _one_wording(self) -> Self:
        if self.wording is not None and self.wording_sha256 is not None:
            raise Problem("wording_twice", _("send either wording or wording_sha256, not both"))
        return self


class WordingOut(Schema):
    sha256: str
    version: str
    language: str
    text: str


class ConsentRecordOut(Schema):
    id: int
    purpose: str
    channel: str
    status: str
    legal_basis: str
    source: str
    wording: WordingOut | None
    actor: str | None
    recorded_at: datetime
    ip_address: str | None
    user_agent: str
    note: str


class ConsentStateOut(Schema):
    purpose: str
    channel: str
    status: str
    record_id: int
    recorded_at: datetime


class DecisionOut(Schema):
    purpose: str
    channel: str
    allowed: bool
    reason: str
    explanation: str


class ConsentsOut(Schema):
    current: list[ConsentStateOut]
    gate: list[DecisionOut]
    history: list[ConsentRecordOut]


class PreferencesIn(StrictSchema):
    preferred_channel: ConsentChannel | None = None
    language: str | None = Field(default=None, max_length=8)
    max_per_week: int | None = Field(default=None, ge=0, le=1000)
    max_per_month: int | None = Field(default=None, ge=0, le=5000)
    quiet_start: time | None = None
    quiet_end: time | None = None
    topics: list[str] | None = Field(default=None, max_length=50)
    paused_until: date | None = None

    @field_validator("preferred_channel")
    @classmethod
    def _channel(cls, value: ConsentChannel | None) -> ConsentChannel | None:
        if value is not None and value not in CONTACT_CHANNELS:
            raise Problem(
                "channel_invalid",
                _("must be one of %(allowed)s"),
                allowed=", ".join(CONTACT_CHANNELS),
            )
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        return check_language(value) if value else value

    @field_validator("quiet_start", "quiet_end")
    @classmethod
    def _local_time(cls, value: time | None) -> time | None:
        # Quiet hours are read on the customer's own clock, in their time zone with its summer
        # time; a fixed offset names no zone, so there is nothing exact to turn it into.
        if value is not None and value.tzinfo is not None:
            raise Problem(
                "time_with_offset",
                _("must be a time on the customer's own clock, without a time zone offset"),
            )
        return value

    @field_validator("topics")
    @classmethod
    def _topics(cls, values: list[str] | None) -> list[str] | None:
        if values is None:
            return None
        for topic in values:
            if not _TOPIC.match(topic):
                raise Problem(
                    "topic_invalid",
                    _("topic “%(topic)s” must be 1-50 lower-case letters, digits, - or _"),
                    topic=topic,
                )
        return sorted(set(values))

    @model_validator(mode="after")
    def _quiet_pair(self) -> Self:
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise Problem(
                "quiet_hours_incomplete",
                _("give both the start and the end of the quiet hours, or neither"),
            )
        return self


class PreferencesOut(Schema):
    preferred_channel: str
    language: str
    max_per_week: int | None
    max_per_month: int | None
    quiet_start: time | None
    quiet_end: time | None
    topics: list[str]
    paused_until: date | None
    time_zone: str


class SignupIn(StrictSchema):
    email: EmailStr = Field(max_length=254)
    name: str = Field(default="", max_length=200)
    language: str = Field(default="", max_length=8)
    purposes: list[Purpose] = Field(default_factory=lambda: [Purpose.NEWSLETTER], min_length=1)
    wording: WordingIn

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        return check_language(value)

    @field_validator("purposes")
    @classmethod
    def _purposes(cls, values: list[Purpose]) -> list[Purpose]:
        for purpose in values:
            if purpose not in CONSENT_PURPOSES or purpose == Purpose.PROFILING:
                raise Problem(
                    "signup_list_invalid",
                    _("%(purpose)s is not a list one can sign up to"),
                    purpose=str(purpose),
                )
        return sorted(set(values))


class SignupOut(Schema):
    status: str
    detail: str


class UnsubscribeIn(StrictSchema):
    token: str = Field(max_length=200)


class UnsubscribeOut(Schema):
    status: str


class PrivacyRequestCreate(StrictSchema):
    party_id: Id
    kind: RequestKind
    note: str = Field(default="", max_length=5000)


class PrivacyRequestAct(StrictSchema):
    action: str = Field(description="complete or reject")
    note: str = Field(default="", max_length=5000)

    @field_validator("action")
    @classmethod
    def _action(cls, value: str) -> str:
        if value not in REQUEST_ACTIONS:
            raise Problem("request_action_invalid", _("must be “complete” or “reject”"))
        return value


class RequestFilters(Schema):
    status: str = Field(default="", pattern=r"^(|open|completed|rejected)$")
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=200)


class PrivacyRequestOut(Schema):
    id: int
    party_id: int
    kind: str
    status: str
    channel: str
    received_at: datetime
    due_at: datetime
    completed_at: datetime | None
    overdue: bool
    note: str


class RequestPage(Schema):
    items: list[PrivacyRequestOut]
    next_cursor: str | None
