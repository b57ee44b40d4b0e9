"""The one gate: every combination that decides whether a party may be contacted."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from pytest_django.fixtures import Settings

from clientela.commerce.models import OrderStatus
from clientela.consent.models import ContactLog, Preferences
from clientela.consent.services import erase_party, may_contact, record_contact, suppress
from clientela.parties.models import Party
from tests import factories
from tests.consent.conftest import grant, withdraw

pytestmark = pytest.mark.django_db
NOON = datetime(2025, 3, 12, 12, 0, tzinfo=UTC)  # a Wednesday


def customer(**fields: Any) -> Party:
    return factories.make_party(email="ana@example.com", phone="+351912345678", **fields)


def prospect(**fields: Any) -> Party:
    return factories.make_party(
        email="rui@example.com", phone="+351912345679", roles=("prospect",), **fields
    )


def test_a_granted_consent_allows_the_message() -> None:
    party = prospect()
    grant(party, "newsletter")
    decision = may_contact(party, purpose="newsletter", channel="email", at=NOON)
    assert (decision.allowed, decision.reason) == (True, "consent")


def test_consent_never_given_refuses() -> None:
    decision = may_contact(prospect(), purpose="newsletter", channel="email", at=NOON)
    assert (decision.allowed, decision.reason) == (False, "never_given")


def test_a_withdrawn_consent_refuses_even_after_an_earlier_grant() -> None:
    party = prospect()
    grant(party, "newsletter")
    withdraw(party, "newsletter")
    decision = may_contact(party, purpose="newsletter", channel="email", at=NOON)
    assert (decision.allowed, decision.reason) == (False, "withdrawn")


def test_a_consent_on_one_channel_does_not_open_another() -> None:
    party = prospect()
    grant(party, "newsletter", "email")
    decision = may_contact(party, purpose="newsletter", channel="sms", at=NOON)
    assert decision.reason == "never_given"


def test_soft_opt_in_allows_marketing_e_mail_to_an_existing_customer() -> None:
    decision = may_contact(customer(), purpose="marketing", channel="email", at=NOON)
    assert (decision.allowed, decision.reason) == (True, "soft_opt_in")


def test_a_completed_order_makes_a_prospect_an_existing_customer() -> None:
    party = prospect()
    factories.make_order(party)
    assert may_contact(party, purpose="marketing", channel="email", at=NOON).allowed


def test_a_cancelled_order_alone_does_not_make_an_existing_customer() -> None:
    party = prospect()
    factories.make_order(party, status=OrderStatus.CANCELLED)
    assert not may_contact(party, purpose="marketing", channel="email", at=NOON).allowed


def test_soft_opt_in_does_not_apply_to_prospects() -> None:
    decision = may_contact(prospect(), purpose="marketing", channel="email", at=NOON)
    assert decision.reason == "never_given"


@pytest.mark.parametrize(
    ("purpose", "channel"),
    [("marketing", "sms"), ("marketing", "phone"), ("newsletter", "email"), ("surveys", "email")],
)
def test_soft_opt_in_covers_only_marketing_by_e_mail(purpose: str, channel: str) -> None:
    decision = may_contact(customer(), purpose=purpose, channel=channel, at=NOON)
    assert decision.reason == "never_given"


def test_a_customer_who_opted_out_loses_the_soft_opt_in() -> None:
    party = customer()
    withdraw(party, "marketing", "email")
    decision = may_contact(party, purpose="marketing", channel="email", at=NOON)
    assert (decision.allowed, decision.reason) == (False, "withdrawn")


def test_transactional_messages_need_no_consent() -> None:
    decision = may_contact(prospect(), purpose="transactional", channel="email", at=NOON)
    assert (decision.allowed, decision.reason) == (True, "transactional")


def test_a_party_without_an_address_for_the_channel_is_refused() -> None:
    party = factories.make_party(email="only@example.com", roles=("prospect",))
    grant(party, "newsletter", "sms")
    decision = may_contact(party, purpose="newsletter", channel="sms", at=NOON)
    assert decision.reason == "no_contact_point"


def test_a_pause_refuses_until_the_end_of_its_day() -> None:
    party = customer()
    Preferences.objects.create(party=party, paused_until=date(2025, 3, 12))
    assert may_contact(party, purpose="marketing", channel="email", at=NOON).reason == "paused"
    after = datetime(2025, 3, 13, 9, 0, tzinfo=UTC)
    assert may_contact(party, purpose="marketing", channel="email", at=after).allowed


def test_a_pause_does_not_hold_transactional_messages() -> None:
    party = customer()
    Preferences.objects.create(party=party, paused_until=date(2025, 12, 31))
    assert may_contact(party, purpose="transactional", channel="email", at=NOON).allowed


def test_quiet_hours_are_read_in_the_customers_time_zone() -> None:
    # 22:30 in Lisbon is 06:30 the next morning in Tokyo.
    quiet = {"quiet_start": time(22, 0), "quiet_end": time(7, 0)}
    lisbon, tokyo = customer(timezone="Europe/Lisbon"), prospect(timezone="Asia/Tokyo")
    grant(tokyo, "marketing")
    for party in (lisbon, tokyo):
        Preferences.objects.create(party=party, **quiet)
    at = datetime(2025, 3, 12, 21, 30, tzinfo=UTC)  # Lisbon 21:30, Tokyo 06:30 (next day)
    assert may_contact(lisbon, purpose="marketing", channel="email", at=at).allowed
    assert may_contact(tokyo, purpose="marketing", channel="email", at=at).reason == "quiet_hours"


def test_quiet_hours_without_a_party_time_zone_use_the_installations(settings: Settings) -> None:
    settings.TIME_ZONE = "America/New_York"
    party = customer()
    Preferences.objects.create(party=party, quiet_start=time(20, 0), quiet_end=time(23, 0))
    at = datetime(2025, 3, 13, 1, 0, tzinfo=UTC)  # 21:00 in New York
    assert may_contact(party, purpose="marketing", channel="email", at=at).reason == "quiet_hours"


def test_the_weekly_cap_refuses_once_reached_and_counts_only_the_last_seven_days() -> None:
    party = customer()
    Preferences.objects.create(party=party, max_per_week=2)
    record_contact(party, purpose="marketing", channel="email", at=NOON - timedelta(days=8))
    record_contact(party, purpose="newsletter", channel="email", at=NOON - timedelta(days=3))
    assert may_contact(party, purpose="marketing", channel="email", at=NOON).allowed
    record_contact(party, purpose="marketing", channel="sms", at=NOON - timedelta(hours=1))
    decision = may_contact(party, purpose="marketing", channel="email", at=NOON)
    assert (decision.allowed, decision.reason) == (False, "weekly_cap")


def test_transactional_messages_do_not_count_towards_the_cap() -> None:
    party = customer()
    Preferences.objects.create(party=party, max_per_week=1)
    record_contact(party, purpose="transactional", channel="email", at=NOON - timedelta(hours=1))
    assert may_contact(party, purpose="marketing", channel="email", at=NOON).allowed


def test_the_monthly_cap_refuses_once_reached() -> None:
    party = customer()
    Preferences.objects.create(party=party, max_per_month=1)
    record_contact(party, purpose="marketing", channel="email", at=NOON - timedelta(days=20))
    assert may_contact(party, purpose="marketing", channel="email", at=NOON).reason == (
        "monthly_cap"
    )


def test_a_suppressed_address_is_refused_even_with_consent_and_for_transactional() -> None:
    party = prospect()
    grant(party, "newsletter")
    suppress("email", "RUI@example.com", reason="hard_bounce")
    for purpose in ("newsletter", "transactional"):
        decision = may_contact(party, purpose=purpose, channel="email", at=NOON)
        assert (decision.allowed, decision.reason) == (False, "suppressed")
    assert ContactLog.objects.count() == 0


def test_suppressing_the_e_mail_leaves_the_phone_open() -> None:
    party = prospect()
    grant(party, "newsletter", "sms")
    suppress("email", "rui@example.com", reason="complaint")
    assert may_contact(party, purpose="newsletter", channel="sms", at=NOON).allowed


def test_an_erased_party_is_refused_on_every_purpose() -> None:
    party = customer()
    grant(party, "newsletter")
    erase_party(party, by=None)
    for purpose in ("marketing", "newsletter", "transactional"):
        decision = may_contact(party, purpose=purpose, channel="email", at=NOON)
        assert (decision.allowed, decision.reason) == (False, "erased")


def test_an_unknown_purpose_or_channel_is_an_error_naming_it() -> None:
    from clientela.core.errors import Invalid

    with pytest.raises(Invalid) as caught:
        may_contact(prospect(), purpose="spam", channel="pigeon")
    assert [e.field for e in caught.value.errors] == ["purpose", "channel"]
