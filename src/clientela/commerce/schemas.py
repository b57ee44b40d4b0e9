"""API schemas for orders."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Self

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import Field, field_validator, model_validator

from clientela.commerce.models import OrderStatus, SalesChannel
from clientela.core.errors import Problem
from clientela.core.ids import Id
from clientela.core.money import is_currency, parse_amount, parse_rate
from clientela.core.validation import Instant
from clientela.parties.schemas import StrictSchema


class OrderLineIn(StrictSchema):
    sku: str = Field(default="", max_length=64)
    product: str = Field(min_length=1, max_length=200)
    category: str = Field(default="", max_length=100)
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    unit_price: Decimal

    @field_validator("unit_price", mode="before")
    @classmethod
    def _price(cls, value: object) -> Decimal:
        return parse_amount(value)


class OrderCreate(StrictSchema):
    external_id: str = Field(min_length=1, max_length=100)
    party_id: Id | None = None
    party_external_id: str | None = Field(default=None, max_length=100)
    ordered_at: Instant
    total: Decimal
    currency: str
    status: OrderStatus = OrderStatus.COMPLETED
    channel: SalesChannel = SalesChannel.OTHER
    lines: list[OrderLineIn] = Field(default_factory=list, max_length=1000)

    @field_validator("total", mode="before")
    @classmethod
    def _total(cls, value: object) -> Decimal:
        return parse_amount(value)

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if not is_currency(value.upper()):
            raise Problem("currency_invalid", _("is not an ISO 4217 currency code such as EUR"))
        return value.upper()

    @field_validator("ordered_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise Problem(
                "datetime_without_offset", _("needs a time zone offset, such as Z or +01:00")
            )
        return value

    @model_validator(mode="after")
    def _one_party(self) -> Self:
        if (self.party_id is None) == (self.party_external_id is None):
            raise Problem(
                "order_party_reference", _("give exactly one of party_id or party_external_id")
            )
        return self


class OrderLineOut(Schema):
    sku: str
    product: str
    category: str
    quantity: Decimal
    unit_price: Decimal


class OrderOut(Schema):
    id: int
    external_id: str
    party_id: int
    ordered_at: datetime
    total: Decimal
    currency: str
    status: str
    channel: str
    lines: list[OrderLineOut]
    created_at: datetime


class BulkResult(Schema):
    """What a bulk write did; `updated` counts changed orders replaced under `upsert`."""

    created: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[dict[str, object]]


class PurchaseSummary(Schema):
    orders: int
    first_purchase_at: datetime | None
    last_purchase_at: datetime | None
    totals: dict[str, Decimal]


class ExchangeRateIn(StrictSchema):
    """One rate: on `day`, 1 `base` bought `rate` units of `currency`."""

    day: date
    currency: str = Field(max_length=3)
    rate: Decimal
    base: str = Field(default="EUR", max_length=3)

    @field_validator("currency", "base", mode="before")
    @classmethod
    def _code(cls, value: object) -> str:
        if not isinstance(value, str) or not is_currency(value.strip().upper()):
            raise Problem("currency_invalid", _("is not an ISO 4217 currency code such as EUR"))
        return value.strip().upper()

    @field_validator("rate", mode="before")
    @classmethod
    def _rate(cls, value: object) -> Decimal:
        return parse_rate(value)


class ExchangeRateOut(Schema):
    id: int
    day: date
    currency: str
    base: str
    rate: Decimal
    source: str
    recorded_by: str | None
    recorded_at: datetime
    outcome: str | None = None  # on a write: created, updated or unchanged


class RatesImportedOut(Schema):
    """What an import did: rates new, changed, and already known with the same value."""

    rates: int
    created: int
    updated: int
    unchanged: int
    first_day: date | None
    last_day: date | None
    currencies: list[str]
