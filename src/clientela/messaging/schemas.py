"""Messages in and out of the API and the customer page's e-mail form."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import ConfigDict, Field, field_validator

from clientela.consent.models import Purpose
from clientela.core.errors import Problem
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
