"""A sales rep's day in a real browser: My day, a call to an at-risk customer, a call back."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from clientela.accounts.models import Role
from clientela.activities.models import Activity
from clientela.analytics.models import CustomerMetrics
from clientela.interactions.models import Interaction
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FRIDAY = 4


def test_a_rep_calls_an_at_risk_customer_from_my_day_and_finds_the_call_back_on_friday(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    rep = factories.make_user(
        role=Role.SALES, email="rita@example.com", full_name="Rita Rep", team="Porto"
    )
    customer = factories.make_party(
        given_name="Beatriz", family_name="Lopes", phone="+351912345678", owner=rep, team=rep.team
    )
    today = timezone.now().date()
    CustomerMetrics.objects.create(
        party=customer, as_of=today, computed_at=timezone.now(), currency="EUR",
        lifecycle_state="at_risk", tier="gold", clv=Decimal("1500.00"),
        state_since=today - timedelta(days=3),
    )  # fmt: skip
    friday = today + timedelta(days=(FRIDAY - today.weekday()) % 7 or 7)

    page.goto(f"{base}/sign-in/")
    page.get_by_label("E-mail").fill("rita@example.com")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # My day, from the header: Beatriz is a valuable customer at risk.
    page.get_by_role("link", name="My day").click()
    expect(page.get_by_role("heading", name="My day", level=1)).to_be_visible()
    entry = page.locator(".attention-list li", has_text="Beatriz Lopes")
    expect(entry.get_by_text("Valuable customer at risk")).to_be_visible()

    # Call her: her number and value are beside the outcome form.
    entry.get_by_role("link", name="Call", exact=True).click()
    expect(page.get_by_role("heading", name="Call Beatriz Lopes")).to_be_visible()
    expect(page.get_by_role("link", name="+351912345678")).to_be_visible()
    page.get_by_label("Call back at…").check()
    page.get_by_label("Call back on").fill(friday.isoformat())
    page.get_by_label("Call back at", exact=True).fill("10:00")
    page.get_by_label("Notes").fill("In a meeting; asked to be called on Friday.")
    page.get_by_role("button", name="Record the call").click()
    expect(page.get_by_text("The call was recorded.")).to_be_visible()

    # Friday's list has the call back at 10:00.
    page.get_by_label("Day", exact=True).fill(friday.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("Call back Beatriz Lopes")).to_be_visible()
    follow = Activity.objects.get(party=customer)
    assert (follow.due_date, follow.due_time.strftime("%H:%M") if follow.due_time else "") == (
        friday, "10:00",
    )  # fmt: skip
    assert Interaction.objects.filter(party=customer, channel="phone", staff=rep).count() == 1
