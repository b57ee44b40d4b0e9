"""API, form and import schemas for activities: what may be written, and what is returned."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import BeforeValidator, Field, field_validator, model_validator

from clientela.activities.models import (
    ActivityKind,
    CallOutcome,
    Priority,
    RepeatUnit,
    SourceKind,
)
from clientela.consent.models import CONTACT_PURPOSES, Purpose
from clientela.core.errors import Problem
from clientela.core.ids import Id
from clientela.core.validation import PYDANTIC_MESSAGES, Instant
from clientela.interactions.models import Channel, Direction
from clientela.interactions.schemas import MAX_AHEAD
from clientela.parties.schemas import StrictSchema, check_timezone

# Due dates a person may mean: a year typed wrong (20226) is refused, not stored.
EARLIEST_DUE = date(1900, 1, 1)
LATEST_DUE = date(2200, 12, 31)
MAX_DURATION = 60 * 24 * 31  # a month, in minutes
MAX_REPEAT = 366


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _written_day(value: Any) -> Any:
    """A day is written as YYYY-MM-DD: Pydantic would read a number as a Unix timestamp."""
    if isinstance(value, date) or (isinstance(value, str) and _DAY.match(value)):
        return value
    raise Problem("date_type", PYDANTIC_MESSAGES["date_type"])


# A day in an input schema: YYYY-MM-DD (or a date from a form), never a number.
Day = Annotated[date, BeforeValidator(_written_day)]


def check_due_date(value: date | None) -> date | None:
    """A due date between 1900 and 2200."""
    if value is not None and not EARLIEST_DUE <= value <= LATEST_DUE:
        raise Problem(
            "activity_due_out_of_range",
            _("must be between %(earliest)s and %(latest)s"),
            earliest=EARLIEST_DUE.isoformat(),
            latest=LATEST_DUE.isoformat(),
        )
    return value


def check_local_time(value: time | None) -> time | None:
    """A time of day is read in the activity's time zone: it carries no offset of its own."""
    if value is not None and value.tzinfo is not None:
        raise Problem(
            "activity_time_with_offset",
            _("is read in the activity's time zone; give it without an offset, as HH:MM"),
        )
    return value


def check_aware(value: datetime | None) -> datetime | None:
    """A moment with its offset (Z, +01:00…), after 1900 and at most a year ahead."""
    if value is None:
        return value
    if value.tzinfo is None:
        raise Problem(
            "datetime_without_offset",
            _("%(value)s needs a time zone offset, such as Z or +01:00"),
            value=value.isoformat(),
        )
    if value.date() > timezone.now().date() + MAX_AHEAD:
        raise Problem("datetime_too_far_ahead", _("is more than a year in the future"))
    if value.date() < EARLIEST_DUE:
        raise Problem(
            "activity_moment_too_early",
            _("must be after %(earliest)s"),
            earliest=EARLIEST_DUE.isoformat(),
        )
    return value


class ActivityCreate(StrictSchema):
    """A new activity. Without an assignee or a queue it is the creator's own.

    `due_date` and `due_time` are read in `time_zone`: by default the assignee's zone, else the
    company's. No `due_time`: due that whole day.
    """

    party_id: Id
    kind: ActivityKind
    title: str = Field(min_length=1, max_length=200)
    notes: str = Field(default="", max_length=20000)
    due_date: Day
    due_time: time | None = None
    time_zone: str = Field(default="", max_length=64)
    duration_minutes: int | None = Field(default=None, ge=1, le=MAX_DURATION)
    assignee_id: Id | None = None
    queue_id: Id | None = None
    priority: Priority = Priority.NORMAL
    repeat_unit: RepeatUnit = RepeatUnit.NONE
    repeat_every: int = Field(default=1, ge=1, le=MAX_REPEAT)
    source_kind: SourceKind = SourceKind.STAFF
    source_id: Id | None = None
    external_id: str | None = Field(default=None, min_length=1, max_length=100)

    _due = field_validator("due_date")(check_due_date)
    _time = field_validator("due_time")(check_local_time)
    _zone = field_validator("time_zone")(check_timezone)


class ActivityUpdate(StrictSchema):
    """Changes to a pending activity: only the fields sent are changed."""

    kind: ActivityKind | None = None
    title: str | None = Field(default=None, min_length=1, max_length=200)
    notes: str | None = Field(default=None, max_length=20000)
    due_date: Day | None = None
    due_time: time | None = None
    time_zone: str | None = Field(default=None, max_length=64)
    duration_minutes: int | None = Field(default=None, ge=1, le=MAX_DURATION)
    assignee_id: Id | None = None
    queue_id: Id | None = None
    priority: Priority | None = None
    repeat_unit: RepeatUnit | None = None
    repeat_every: int | None = Field(default=None, ge=1, le=MAX_REPEAT)

    _due = field_validator("due_date")(check_due_date)
    _time = field_validator("due_time")(check_local_time)

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)


class ActivityComplete(StrictSchema):
    """How it went: the outcome is required; the interaction is logged on this channel (by
    default the activity's own: a call on the phone, a visit face to face…)."""

    outcome: str = Field(min_length=1, max_length=200)
    notes: str = Field(default="", max_length=20000)
    channel: Channel | None = None
    direction: Direction = Direction.OUTBOUND
    occurred_at: Instant | None = None

    _aware = field_validator("occurred_at")(check_aware)


class ActivitySnooze(StrictSchema):
    until: Instant

    _aware = field_validator("until")(check_aware)


class Ref(Schema):
    id: int
    name: str


class ActivityOut(Schema):
    id: int
    party: Ref
    kind: str
    title: str
    notes: str
    due_date: Day
    due_time: time | None
    time_zone: str
    due_at: datetime
    overdue_at: datetime
    duration_minutes: int | None
    assignee: Ref | None
    queue: Ref | None
    priority: str
    status: str
    snoozed_until: datetime | None
    repeat_unit: str
    repeat_every: int
    source_kind: str
    source_id: int | None
    previous_id: int | None
    outcome: str
    completed_at: datetime | None
    interaction_id: int | None
    external_id: str | None
    created_at: datetime
    created_by_id: int | None


class ActivityPage(Schema):
    items: list[ActivityOut]
    next_cursor: str | None


class CompletionOut(Schema):
    activity: ActivityOut
    next: ActivityOut | None


# Call lists and My day -------------------------------------------------------------------

MAX_CALL_PERIOD_DAYS = 92
MAX_SELECTION = 10_000


class CallListCreate(StrictSchema):
    """A call list to build: from a segment or from a selection of parties (exactly one)."""

    name: str = Field(min_length=1, max_length=150)
    team_id: Id | None = Field(default=None, description="default: your team")
    purpose: Purpose = Purpose.MARKETING
    starts_on: Day
    ends_on: Day
    script: str = Field(default="", max_length=20000)
    max_attempts: int = Field(default=3, ge=1, le=10)
    segment_id: Id | None = None
    party_ids: list[Id] = Field(default_factory=list, max_length=MAX_SELECTION)

    _starts = field_validator("starts_on", "ends_on")(check_due_date)

    @field_validator("purpose")
    @classmethod
    def _contact_purpose(cls, value: Purpose) -> Purpose:
        if value not in CONTACT_PURPOSES:
            raise Problem(
                "call_list_purpose_invalid",
                _("must be one of %(allowed)s"),
                allowed=", ".join(CONTACT_PURPOSES),
            )
        return value

    @model_validator(mode="after")
    def _one_source(self) -> CallListCreate:
        if (self.segment_id is None) == (not self.party_ids):
            raise Problem(
                "call_list_source_required",
                _("give a segment_id or a list of party_ids, not both and not neither"),
            )
        if self.ends_on < self.starts_on:
            raise Problem("call_list_period_reversed", _("ends_on must not be before starts_on"))
        if (self.ends_on - self.starts_on).days >= MAX_CALL_PERIOD_DAYS:
            raise Problem(
                "call_list_period_too_long",
                _("a call list spans at most %(days)s days"),
                days=MAX_CALL_PERIOD_DAYS,
            )
        return self


class CallOutcomeIn(StrictSchema):
    """How a call went; `call_back_at` (required for call_back) is read in your time zone
    when it carries no offset."""

    outcome: CallOutcome
    notes: str = Field(default="", max_length=20000)
    call_back_at: datetime | None = None

    @model_validator(mode="after")
    def _call_back(self) -> CallOutcomeIn:
        if self.outcome == CallOutcome.CALL_BACK and self.call_back_at is None:
            raise Problem(
                "call_back_time_required", _("say when to call back: call_back_at is required")
            )
        return self


class CallListOut(Schema):
    id: int
    name: str
    team: Ref
    purpose: str
    starts_on: Day
    ends_on: Day
    script: str
    max_attempts: int
    segment_id: int | None
    created_at: datetime
    counts: dict[str, int]


class CallListPage(Schema):
    items: list[CallListOut]


class CallItemOut(Schema):
    id: int
    call_list_id: int
    party: Ref
    assignee: Ref | None
    activity_id: int | None
    status: str
    reason: str
    reason_text: str
    attempts: int
    last_outcome: str
    window_start: datetime | None
    window_end: datetime | None


class CallItemPage(Schema):
    items: list[CallItemOut]


class NextCallOut(Schema):
    item: CallItemOut | None
    skipped: list[CallItemOut]


class CallResultOut(Schema):
    item: CallItemOut | None
    interaction_id: int | None
    follow_up: ActivityOut | None


class AttentionOut(Schema):
    party: Ref
    why: str
    tier: str
    lifecycle_state: str
    clv: str | None
    since: date | None
    last_contact_at: datetime | None
    key_date: date | None
    in_days: int | None


class MemberLoadOut(Schema):
    user: Ref
    overdue: int
    today: int
    next_7_days: int
    at_risk: int


class MyDayQuery(Schema):
    user_id: Id | None = Field(default=None, description="a member of your team (managers)")
    day: Day | None = Field(default=None, description="another day than today, in your zone")

    _day = field_validator("day")(check_due_date)


class MyDayOut(Schema):
    user: Ref
    day: date
    overdue: list[ActivityOut]
    today: list[ActivityOut]
    attention: list[AttentionOut]
    team: list[MemberLoadOut] | None
