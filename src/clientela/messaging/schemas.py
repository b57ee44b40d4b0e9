"""Messages in and out of the API and the customer page's e-mail form."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import Field, field_validator

from clientela.core.errors import Problem
from clientela.parties.schemas import StrictSchema

SUBJECT_MAX = 200
TEXT_MAX = 20000


class StaffEmailIn(StrictSchema):
    """A personal e-mail a member of staff writes to one customer."""

    subject: str = Field(min_length=1, max_length=SUBJECT_MAX)
    body: str = Field(min_length=1, max_length=TEXT_MAX, description="plain text")
    purpose: Literal["transactional", "marketing"] = Field(
        default="transactional",
        description="transactional (about an order or an account: no consent needed) or"
        " marketing (the party's consent and limits apply)",
    )

    @field_validator("subject")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\r" in value or "\n" in value:
            raise Problem("message_subject_lines", _("must be one line"))
        value = value.strip()
        if not value:
            raise Problem("message_subject_blank", _("must not be blank"))
        return value

    @field_validator("body")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise Problem("message_body_blank", _("must not be blank"))
        return value


class MessageOut(Schema):
    id: int
    party_id: int
    channel: str
    purpose: str
    source_kind: str
    source_id: int | None
    state: str = Field(description="queued, leased, sent, failed, skipped, missed, cancelled…")
    reason: str = Field(
        description="why it was skipped or failed (the gate's reason code or"
        " the provider's error class)"
    )
    subject: str
    body_text: str
    address: str
    attempts: int
    queued_at: datetime
    not_before: datetime
    not_after: datetime | None
    sent_at: datetime | None
    created_by: str | None


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None
