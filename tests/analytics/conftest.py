"""Purchase histories for analytics tests, built with the shared factories."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.parties.models import Party
from tests.factories import aware, make_order, make_party

AS_OF = date(2024, 12, 31)
# The shared fixtures' types (tests/conftest.py).
WebClient = Callable[[User], Client]
ApiClient = Callable[[User], Client]


class Crowd(Protocol):
    """The `crowd` fixture: `n` customers with varied, reproducible histories."""

    def __call__(self, n: int = 40, seed: int = 7, **party_fields: Any) -> list[Party]: ...


def buy(party: Party, *days: date, total: str = "50.00", **fields: Any) -> None:
    """One completed order per day given (noon UTC)."""
    for day in days:
        make_order(
            party, ordered_at=aware(day.year, day.month, day.day), total=Decimal(total), **fields
        )


@pytest.fixture
def crowd(db: None) -> Crowd:
    """Make `n` customers with varied, reproducible histories over 2024: enough to fit models."""

    def make(n: int = 40, seed: int = 7, **party_fields: Any) -> list[Party]:
        rng = random.Random(seed)
        parties = []
        for _ in range(n):
            party = make_party(**party_fields)
            # The BG/NBD and Gamma-Gamma generative processes, in days.
            rate, drop = rng.gammavariate(1.5, 1 / 30), rng.betavariate(1.0, 3.0)
            typical = rng.gammavariate(3.0, 15.0)
            day = date(2024, 1, 1) + timedelta(days=rng.randint(0, 200))
            repeat = False  # drop-out follows repeat purchases only
            while day <= AS_OF:
                buy(party, day, total=f"{rng.gammavariate(4.0, typical / 4.0) + 1:.2f}")
                if repeat and rng.random() < drop:
                    break
                repeat = True
                day += timedelta(days=1 + int(rng.expovariate(rate)))
            parties.append(party)
        return parties

    return make
