"""What the API says and takes about the company's settings, users, teams, API tokens and the
audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import ConfigDict, Field, StrictBool

from clientela.accounts.models import Role
from clientela.core.ids import Id


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


class UserOut(Schema):
    """A staff user as admins see them; never a password hash."""

    id: int
    email: str
    full_name: str
    role: str
    team_id: int | None
    team: str
    is_active: bool
    last_login: datetime | None
    date_joined: datetime


class InvitationIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: str = Field(max_length=254)
    role: Role
    team_id: Id | None = None


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    team: str
    expires_at: datetime
    accepted_at: datetime | None


class UserUpdate(Schema):
    """What an admin changes about a user; only the fields sent change (team_id null: no
    team)."""

    model_config = ConfigDict(extra="forbid")

    role: Role | None = None
    team_id: Id | None = None
    is_active: StrictBool | None = None  # true or false, not 0 or "yes"


class TeamIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(max_length=200)


class TeamOut(Schema):
    """A team; its members' e-mails only for those who administer users (null for others)."""

    id: int
    name: str
    member_count: int
    members: list[str] | None


class TokenIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(default="", max_length=100)


class TokenOut(Schema):
    """A token as listed: its prefix, never its value."""

    id: int
    email: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    """The token just created: `token` is shown this once and never again."""

    token: str


class AuditEntryOut(Schema):
    id: int
    at: datetime
    actor_id: int | None
    actor_email: str
    action: str
    text: str
    target_kind: str
    target_id: str
    details: dict[str, Any]


class AuditPage(Schema):
    items: list[AuditEntryOut]
    next_cursor: str | None
    # Lines separated by "\n"; the service says when it is too long (postal_address_too_long).
    postal_address: str | None = Field(default=None, max_length=4000)
