"""What the SMS gateway's callbacks carry (JSON), and what the endpoints answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Literal, Self, TypeVar

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import Field, ValidationError, field_validator, model_validator

from clientela.core.errors import Invalid, Problem, invalid
from clientela.core.validation import Instant, field_errors, refuse_nul

# Receipt statuses: the final ones move the message; the others say it is on its way.
FINAL_STATUSES = ("delivered", "failed")
PENDING_STATUSES = ("accepted", "queued", "sent", "buffered")
ReceiptStatus = Literal["delivered", "failed", "accepted", "queued", "sent", "buffered"]


def _aware(value: datetime | None) -> datetime | None:
    """A moment without a zone, from a gateway, is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class ReceiptIn(Schema):
    """A delivery receipt: which message (our reference, or the provider's id), what became
    of it, and when. Fields the gateway adds are ignored."""

    reference: str = Field(default="", max_length=32)
    provider_id: str = Field(default="", max_length=200)
    status: ReceiptStatus
    at: Instant | None = None
    error: str = Field(default="", max_length=100)

    _at = field_validator("at")(_aware)

    @model_validator(mode="after")
    def _names_a_message(self) -> Self:
        if not (self.reference.strip() or self.provider_id.strip()):
            raise Problem("sms_receipt_unnamed", _("give the message's reference or provider_id"))
        return self


class InboundIn(Schema):
    """An SMS a person sent to the company's number."""

    sender: str = Field(alias="from", min_length=1, max_length=40)
    to: str = Field(default="", max_length=40)
    text: str = Field(min_length=1, max_length=2000)
    provider_id: str = Field(default="", max_length=80)
    at: Instant | None = None

    _at = field_validator("at")(_aware)


class CallbackOut(Schema):
    """What a callback did: `applied`, `unchanged` (a duplicate or an older receipt),
    `ignored` (a receipt that is not final), `withdrawn` (STOP) or `logged` (on the timeline)."""

    outcome: str
    messages: int = 0
    parties: int = 0


T = TypeVar("T", ReceiptIn, InboundIn)


def parse_callback(schema: type[T], body: bytes) -> T:
    """The callback's JSON body read into its schema; Invalid (422) naming each bad field."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid(
            "body",
            body[:100].decode("utf-8", "replace"),
            _("is not valid JSON"),
            code="json_invalid",
        ) from exc
    if not isinstance(data, dict):
        raise invalid("body", None, _("must be a JSON object"), code="json_not_object")
    refuse_nul(data)
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise Invalid(field_errors(exc)) from exc
