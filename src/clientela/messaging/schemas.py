"""Messages in and out of the API and the customer page's e-mail form."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Literal, Self, TypeVar

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from clientela.consent.models import Purpose
from clientela.core.errors import Invalid, Problem, invalid
from clientela.core.validation import Instant, field_errors, refuse_nul
from clientela.messaging.models import Channel
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


# A BCP 47 tag as templates use it: a language and optional script/region parts (pt, pt-BR,
# zh-Hant-TW); private-use and extensions are not needed to pick a message.
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$")
MAX_VARIANTS = 30


def check_language(value: str) -> str:
    if not LANGUAGE_TAG.match(value):
        raise Problem("language_tag_invalid", _("is not a language tag such as pt or pt-BR"))
    return value


class _Strict(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class VariantIn(_Strict):
    language: str = Field(max_length=35, description="a BCP 47 tag: pt, pt-BR, en")
    subject: str = Field(default="", max_length=500, description="e-mail only (Liquid)")
    body: str = Field(max_length=100_000, description="HTML for e-mail, else text (Liquid)")
    text_body: str = Field(
        default="",
        max_length=100_000,
        description="e-mail: the plain-text part; generated when empty",
    )

    _language = field_validator("language")(check_language)


class TemplateCreate(_Strict):
    name: str = Field(min_length=1, max_length=200)
    channel: Channel
    purpose: Purpose
    default_language: str = Field(max_length=35, description="one of the variants' languages")
    variants: list[VariantIn] = Field(min_length=1, max_length=MAX_VARIANTS)

    _default_language = field_validator("default_language")(check_language)


class TemplateUpdate(_Strict):
    """Only the fields sent change; `variants`, when sent, replaces them all."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    purpose: Purpose | None = None
    default_language: str | None = Field(default=None, max_length=35)
    variants: list[VariantIn] | None = Field(default=None, min_length=1, max_length=MAX_VARIANTS)

    _default_language = field_validator("default_language")(
        lambda value: check_language(value) if value is not None else value
    )


class VariantOut(Schema):
    language: str
    subject: str
    body: str
    text_body: str
    updated_at: datetime


class TemplateOut(Schema):
    id: int
    name: str
    channel: Channel
    purpose: Purpose
    default_language: str
    languages: list[str]
    variants: list[VariantOut]
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None


class TemplatePage(Schema):
    items: list[TemplateOut]
    next_cursor: str | None


class PreviewOut(Schema):
    party_id: int
    party_name: str
    language: str = Field(description="the variant's language tag")
    reason: str = Field(description="why that variant: exact, language or default")
    subject: str
    html: str
    text: str
    problem: str | None = Field(default=None, description="why it could not be written for them")


class PreviewsOut(Schema):
    items: list[PreviewOut]


class VariableOut(Schema):
    path: str
    label: str
    example: str


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
