"""API and form schemas for interactions and the timeline."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Self

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails

from clientela.core.errors import Problem
from clientela.core.ids import Id
from clientela.core.validation import Instant
from clientela.interactions.models import Channel, Direction
from clientela.parties.schemas import StrictSchema

MAX_AHEAD = timedelta(days=366)  # planned contacts are fine; a typo in the year is not


def _said_something(schema: BaseModel, subject: str, notes: str, outcome: str) -> None:
    """An interaction says what happened: a subject, notes or an outcome. The error names the
    subject (the first of the three a reader fills in), so forms show it beside that field."""
    if subject.strip() or notes.strip() or outcome.strip():
        return
    problem = Problem(
        "interaction_empty",
        _("say what happened: give a subject, notes or an outcome"),
    )
    raise ValidationError.from_exception_data(
        type(schema).__name__,
        [
            InitErrorDetails(
                type="value_error", loc=("subject",), input=subject, ctx={"error": problem}
            )
        ],
    )


class InteractionContent(StrictSchema):
    """What an interaction says: the part a correction writes again."""

    channel: Channel
    direction: Direction
    occurred_at: Instant | None = None
    subject: str = Field(default="", max_length=200)
    notes: str = Field(default="", max_length=20000)
    outcome: str = Field(default="", max_length=200)

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        # Another system's record (an external id: a phone system's call log, say) stands for
        # a contact that happened even without words; one typed in here must say something.
        if not getattr(self, "external_id", None):
            _said_something(self, self.subject, self.notes, self.outcome)
        return self

    @field_validator("occurred_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise Problem(
                "datetime_without_offset",
                _("%(value)s needs a time zone offset, such as Z or +01:00"),
                value=value.isoformat(),
            )
        if value is not None and value > timezone.now() + MAX_AHEAD:
            raise Problem("datetime_too_far_ahead", _("is more than a year in the future"))
        return value


class InteractionCreate(InteractionContent):
    party_id: Id
    corrects_id: Id | None = None
    external_id: str | None = Field(default=None, max_length=100)


class InteractionCorrection(InteractionContent):
    """The entry as it should have been: logged as a new entry pointing at the one it
    corrects (`POST /interactions/{id}/corrections`); the original stays on the timeline."""


class AttachmentOut(Schema):
    id: int
    interaction_id: int
    name: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime


class InteractionOut(Schema):
    id: int
    party_id: int
    channel: str
    direction: str
    occurred_at: datetime
    staff_id: int | None
    subject: str
    notes: str
    outcome: str
    corrects_id: int | None
    external_id: str | None
    created_at: datetime


class InteractionDetailOut(InteractionOut):
    """One interaction with its files and the entries that correct it (newest last)."""

    attachments: list[AttachmentOut]
    corrected_by_ids: list[int]


class TimelineEntryOut(BaseModel):
    """A plain pydantic model: ninja's Schema resolves each attribute through a Django-aware
    getter, which cost about a third of a full timeline page (docs/benchmarks.md)."""

    model_config = ConfigDict(from_attributes=True)

    kind: str
    id: int
    at: datetime
    title: str
    channel: str
    direction: str
    body: str
    actor: str
    data: dict[str, Any]


class TimelinePage(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    items: list[TimelineEntryOut]
    next_cursor: str | None
