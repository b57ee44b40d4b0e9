"""A manager explores the trends in a real browser: narrows them to a team, clicks a bar of the
revenue chart and lands on the list of exactly the customers behind it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from clientela.accounts.models import Role
from clientela.parties.models import Party
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _buy(party: Party, day: date, total: str) -> None:
    factories.make_order(
        party, ordered_at=factories.aware(day.year, day.month, day.day), total=Decimal(total)
    )


def test_a_manager_clicks_a_revenue_bar_and_sees_its_customers(
    page: Page, live_server: object, settings: object
) -> None:
    base = str(live_server)
    factories.make_user(role=Role.MANAGER, email="mara@example.com")
    north = factories.make_user(role=Role.SALES, email="nuno@example.com", team="North")
    south = factories.make_user(role=Role.SALES, email="sara@example.com", team="South")
    ana = factories.make_party(given_name="Ana", family_name="Norte", team=north.team)
    rui = factories.make_party(given_name="Rui", family_name="Norte", team=north.team)
    eva = factories.make_party(given_name="Eva", family_name="Sul", team=south.team)
    _buy(ana, date(2024, 2, 3), "1200.00")
    _buy(rui, date(2024, 2, 20), "80.00")
    _buy(rui, date(2024, 3, 1), "40.00")
    _buy(eva, date(2024, 2, 5), "999.00")
    page.goto(f"{base}/sign-in/")
    page.get_by_label("E-mail").fill("mara@example.com")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/analytics/")
    page.get_by_role("link", name="Revenue and customer trends").first.click()
    expect(page.get_by_role("heading", name="Revenue and customer trends")).to_be_visible()
    page.get_by_label("From month").fill("2024-01")
    page.get_by_label("To month").fill("2024-04")
    page.get_by_label("Team").select_option(label="North")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#revenue-table tfoot")).to_contain_text("€1,320")
    # February's bar: Ana and Rui (North) bought, not Eva (South).
    page.locator('svg a[href*="ordered=2024-02"]').first.click()
    expect(page.get_by_role("heading", name="Parties", level=1)).to_be_visible()
    expect(page.locator("#feature-filters")).to_contain_text("ordered in 2024-02")
    results = page.locator("#party-results")
    expect(results).to_contain_text("Ana Norte")
    expect(results).to_contain_text("Rui Norte")
    expect(results).not_to_contain_text("Eva Sul")
