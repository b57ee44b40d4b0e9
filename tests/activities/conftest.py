"""Fixtures of the activities tests: parties of two teams, and a quick way to plan one."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from clientela.accounts.models import User
from clientela.activities.models import Activity
from clientela.activities.schemas import ActivityCreate
from clientela.activities.services import create_activity
from clientela.parties.models import Party
from tests.consent.conftest import smtp_inbox  # noqa: F401  (a real local SMTP server, reused)
from tests.factories import make_party


@pytest.fixture
def party_a(sales_a: User) -> Party:
    """A customer that team A looks after."""
    return make_party(owner=sales_a, team=sales_a.team, given_name="Ana", family_name="Silva")


@pytest.fixture
def party_b(sales_b: User) -> Party:
    """A customer that team B looks after."""
    return make_party(owner=sales_b, team=sales_b.team, given_name="Bruno", family_name="Costa")


def plan(party: Party, by: User, **fields: Any) -> Activity:
    """An activity planned through the service, due on 2030-05-06 unless told otherwise."""
    values: dict[str, Any] = {
        "party_id": party.pk,
        "kind": "call",
        "title": "Call about the renewal",
        "due_date": date(2030, 5, 6),
    }
    values.update(fields)
    activity, _created = create_activity(ActivityCreate.model_validate(values), by=by)
    return activity
