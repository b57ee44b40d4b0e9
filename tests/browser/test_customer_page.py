"""The customer page in a real browser: a compact header, the timeline as the first section,
the other sections behind tabs (links that htmx follows in place), an order's page with its
lines, and a page that stays short at 1280 px and never scrolls sideways at 390 px."""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from clientela.analytics.services.freshness import orders_changed
from clientela.commerce.models import OrderLine
from clientela.interactions.models import Channel
from clientela.parties.models import KeyDate, KeyDateKind, Party, PartyKind
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# Where to keep screenshots when asked (CLIENTELA_SCREENSHOTS=DIR), to look at the page.
SHOTS = os.environ.get("CLIENTELA_SCREENSHOTS", "")


def busy_customer() -> Party:
    """A customer with a long history: 40 orders with lines, 40 interactions, a birthday, an
    organization, an open activity and metrics."""
    owner = factories.make_user(email="ana@example.com", full_name="Ana Owner", team="Lisbon")
    org = factories.make_party(kind=PartyKind.ORGANIZATION, organization_name="Cafés Estrela")
    party = factories.make_party(
        given_name="Beatriz", family_name="Lopes", email="beatriz@example.com",
        phone="+351912345678", owner=owner, team=owner.team,
    )  # fmt: skip
    party.affiliations.create(organization=org, title="Buyer")
    KeyDate.objects.create(party=party, kind=KeyDateKind.BIRTHDAY, day=1, month=11)
    now = timezone.now()
    for n in range(40):
        order = factories.make_order(
            party, external_id=f"B-{n:03d}", ordered_at=now - timedelta(days=9 * n + 1),
            total=Decimal("1234567.89") if n == 0 else Decimal("89.90"),
        )  # fmt: skip
        OrderLine.objects.create(
            order=order, product="Espresso beans 1 kg", quantity=Decimal(2),
            unit_price=order.total / 2,
        )  # fmt: skip
        factories.make_interaction(
            party, channel=Channel.EMAIL, subject=f"Question {n} about the delivery",
            occurred_at=now - timedelta(days=9 * n + 2),
        )  # fmt: skip
    factories.make_activity(party, title="Call about the spring range", assignee=owner)
    orders_changed(frozenset({party.pk}))
    return party


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def test_the_customer_page_is_short_starts_with_the_timeline_and_opens_an_order(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    party = busy_customer()
    factories.make_user(email="admin@example.com", full_name="Admin")
    page.goto(f"{base}/sign-in/")
    page.get_by_label("E-mail").fill("ana@example.com")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{base}/parties/{party.pk}/")
    shot(page, "customer-en-1280")

    # The header: who, where they work, who owns them, how to reach them, what is next.
    expect(page.get_by_role("heading", name="Beatriz Lopes", level=1)).to_be_visible()
    header = page.locator(".party-head")
    expect(header.get_by_role("link", name="Cafés Estrela")).to_be_visible()
    expect(page.locator("#party-owner")).to_have_text("Ana Owner · Lisbon")
    expect(page.locator("#party-email")).to_have_text("beatriz@example.com")
    expect(page.locator("#party-phone")).to_have_text("+351912345678")
    expect(page.locator("#tile-next-activity")).to_contain_text("Call about the spring range")
    expect(page.locator("#tile-lifecycle")).to_contain_text("Active")
    expect(page.locator("#tile-purchases")).to_contain_text("40 orders")

    # Money never overflows its tile.
    for tile in page.locator(".party-tiles .tile").all():
        assert tile.evaluate("t => t.scrollWidth <= t.clientWidth"), tile.inner_text()

    # The timeline is the first section, and the page is far shorter than five screens.
    first = page.locator(".party-tabs a").first
    expect(first).to_have_text("Timeline")
    expect(first).to_have_attribute("aria-current", "page")
    sections = page.locator("#party-sections [role=region]")
    expect(sections).to_have_count(1)
    expect(sections.locator("h2").first).to_have_text("Timeline")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 2500, height

    # Another section opens in place (htmx), and its address can be shared.
    page.evaluate("window.__same_page = true")
    page.locator(".party-tabs").get_by_role("link", name="Orders").click()
    expect(page.get_by_role("heading", name="Purchases")).to_be_visible()
    expect(page).to_have_url(f"{base}/parties/{party.pk}/?tab=orders")
    assert page.evaluate("window.__same_page") is True
    expect(page.locator(".party-tabs a[aria-current=page]")).to_have_text("Orders")
    shot(page, "customer-orders-en-1280")

    # An order's page, with its lines, from the party's orders.
    page.get_by_role("link", name="B-000").click()
    expect(page.get_by_role("heading", name="Order B-000", level=1)).to_be_visible()
    lines = page.locator("table.order-lines tbody tr")
    expect(lines).to_have_count(1)
    expect(lines.first).to_contain_text("Espresso beans 1 kg")
    expect(page.locator("#order-total")).to_have_text("€1,234,567.89")
    shot(page, "order-en-1280")

    # The details: the birthday in words, in English and then in Portuguese.
    page.goto(f"{base}/parties/{party.pk}/?tab=details")
    expect(page.locator("[aria-labelledby=h-dates]")).to_contain_text("Birthday 1 November")
    with page.expect_navigation():
        page.locator("header select[name=language]").select_option("pt")
    page.goto(f"{base}/parties/{party.pk}/?tab=details")
    expect(page.locator("[aria-labelledby=h-dates]")).to_contain_text("Aniversário 1 de novembro")
    shot(page, "customer-details-pt-1280")


def test_the_customer_page_does_not_scroll_sideways_on_a_phone(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    party = busy_customer()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/sign-in/")
    page.get_by_label("E-mail").fill("ana@example.com")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    for tab in ("timeline", "orders", "value", "consent", "activities", "details"):
        page.goto(f"{base}/parties/{party.pk}/?tab={tab}")
        shot(page, f"customer-{tab}-390")
        wide = page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        assert wide, tab
