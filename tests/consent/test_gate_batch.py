"""The gate for many parties answers exactly as the gate for one, in a few queries."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from clientela.consent.models import ContactLog
from clientela.consent.services import may_contact, may_contact_many, suppress
from clientela.consent.services.preferences import get_preferences
from clientela.parties.models import Party
from tests.consent.conftest import grant, withdraw
from tests.factories import make_order, make_party

pytestmark = pytest.mark.django_db

AT = datetime(2027, 12, 7, 10, 0, tzinfo=UTC)


def _parties() -> list[Party]:
    granted = make_party(phone="+351912000001", roles=())
    grant(granted, channel="phone")
    withdrawn = make_party(phone="+351912000002")
    grant(withdrawn, channel="phone")
    withdraw(withdrawn, channel="phone")
    never = make_party(phone="+351912000003", roles=())
    no_phone = make_party(roles=())
    grant(no_phone, channel="phone")
    suppressed = make_party(phone="+351912000005")
    grant(suppressed, channel="phone")
    suppress("phone", "+351912000005", reason="complaint")
    quiet = make_party(phone="+351912000006", timezone="Europe/Lisbon")
    grant(quiet, channel="phone")
    prefs = get_preferences(quiet)
    prefs.quiet_start, prefs.quiet_end = time(9, 0), time(12, 0)
    prefs.save()
    capped = make_party(phone="+351912000007")
    grant(capped, channel="phone")
    prefs = get_preferences(capped)
    prefs.max_per_week = 1
    prefs.save()
    ContactLog.objects.create(party=capped, purpose="marketing", channel="phone",
                              at=AT - timedelta(days=1))  # fmt: skip
    customer = make_party(email="c@example.com", roles=())
    make_order(customer)
    return [granted, withdrawn, never, no_phone, suppressed, quiet, capped, customer]


@pytest.mark.parametrize(("purpose", "channel"), [("marketing", "phone"), ("marketing", "email")])
def test_many_answers_as_one_for_every_reason(
    purpose: str, channel: str, django_assert_max_num_queries: Any
) -> None:
    parties = _parties()
    with django_assert_max_num_queries(8):
        many = may_contact_many([(p, AT) for p in parties], purpose=purpose, channel=channel)
    one = {p.pk: may_contact(p, purpose=purpose, channel=channel, at=AT) for p in parties}
    assert {k: (v.allowed, v.reason) for k, v in many.items()} == {
        k: (v.allowed, v.reason) for k, v in one.items()
    }
    if channel == "phone":
        reasons = [many[p.pk].reason for p in parties]
        assert reasons == [
            "consent", "withdrawn", "never_given", "no_contact_point", "suppressed",
            "quiet_hours", "weekly_cap", "no_contact_point",
        ]  # fmt: skip
