"""What the API says and takes about the company's settings."""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict, Field


class CompanyOut(Schema):
    """The settings in effect; `set` names those the company chose (the others come from the
    environment)."""

    name: str
    country: str
    time_zone: str
    reporting_currency: str
    language: str
    postal_address: str
    logo_url: str | None
    set: list[str]


class CompanyUpdate(Schema):
    """The fields to change; "" unsets one (it falls back to the environment again)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str | None = Field(default=None, max_length=150)
    country: str | None = Field(default=None, max_length=2)
    time_zone: str | None = Field(default=None, max_length=64)
    reporting_currency: str | None = Field(default=None, max_length=3)
    language: str | None = Field(default=None, max_length=8)
    # Lines separated by "\n"; the service says when it is too long (postal_address_too_long).
    postal_address: str | None = Field(default=None, max_length=4000)
