"""Typed factory functions: each makes one valid row, with keyword overrides."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.test import Client
from django.utils import timezone

from clientela.accounts.models import Role, Team, User
from clientela.accounts.services import create_token
from clientela.activities.models import Activity, ActivityKind
from clientela.commerce.models import ExchangeRate, Order, OrderStatus
from clientela.interactions.models import Channel, Direction, Interaction
from clientela.parties.models import ContactKind, ContactPoint, Party, PartyKind, PartyRole
from clientela.parties.services import display_name, refresh_search_text

_seq = itertools.count(1)
PASSWORD = "a long test password 42"


def make_user(
    *, role: str = Role.SALES, email: str | None = None, team: str | None = None, **extra: Any
) -> User:
    user = User(email=email or f"user{next(_seq)}@example.com", role=role, **extra)
    if team:
        user.team, _ = Team.objects.get_or_create(name=team)
    user.set_password(PASSWORD)
    user.save()
    return user


def make_party(
    *,
    kind: str = PartyKind.PERSON,
    email: str | None = None,
    phone: str | None = None,
    roles: tuple[str, ...] = ("customer",),
    **fields: Any,
) -> Party:
    """A party saved directly (no service), with optional e-mail, phone and roles."""
    n = next(_seq)
    if kind == PartyKind.PERSON:
        fields.setdefault("given_name", "Maria")
        fields.setdefault("family_name", f"Tester{n}")
    else:
        fields.setdefault("organization_name", f"Acme {n} Ltd")
    party = Party(kind=kind, **fields)
    party.display_name = display_name(party)
    party.save()
    for role in roles:
        PartyRole.objects.create(party=party, role=role)
    if email:
        ContactPoint.objects.create(
            party=party,
            kind=ContactKind.EMAIL,
            value=email,
            normalized=email.lower(),
            is_primary=True,
        )
    if phone:
        ContactPoint.objects.create(
            party=party, kind=ContactKind.PHONE, value=phone, normalized=phone, is_primary=True
        )
    refresh_search_text(party)
    return party


def make_interaction(party: Party, **fields: Any) -> Interaction:
    fields.setdefault("channel", Channel.PHONE)
    fields.setdefault("direction", Direction.INBOUND)
    fields.setdefault("subject", "Asked about delivery")
    return Interaction.objects.create(party=party, **fields)


def make_order(party: Party, **fields: Any) -> Order:
    fields.setdefault("external_id", f"ORD-{next(_seq)}")
    fields.setdefault("ordered_at", timezone.now())
    fields.setdefault("total", Decimal("49.90"))
    fields.setdefault("currency", "EUR")
    fields.setdefault("status", OrderStatus.COMPLETED)
    return Order.objects.create(party=party, **fields)


def make_rate(day: date, currency: str, rate: str, *, base: str = "EUR") -> ExchangeRate:
    """On `day`, 1 `base` = `rate` `currency` (an exchange rate as the ECB publishes them)."""
    return ExchangeRate.objects.create(
        day=day, currency=currency, base=base, rate=Decimal(rate), recorded_at=timezone.now()
    )


def api_client(user: User) -> Client:
    """A Django test client that authenticates with a new API token of `user`."""
    _token, raw = create_token(user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def aware(year: int, month: int, day: int, hour: int = 12) -> datetime:
    """A UTC datetime, as the database stores them."""
    return datetime(year, month, day, hour, tzinfo=UTC)


def make_activity(party: Party, **fields: Any) -> Activity:
    """An open call due tomorrow (UTC), saved directly (no service); give an assignee or queue."""
    due = timezone.now() + timedelta(days=1)
    fields.setdefault("kind", ActivityKind.CALL)
    fields.setdefault("title", "Call back")
    fields.setdefault("due_date", due.date())
    fields.setdefault("time_zone", "UTC")
    fields.setdefault("due_at", due)
    fields.setdefault("overdue_at", due)
    return Activity.objects.create(party=party, **fields)
