"""What a salesperson does in a real browser: find a customer, log a call, read it in Portuguese."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from clientela.accounts.models import Role
from clientela.interactions.models import Interaction
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_find_a_customer_log_a_call_and_read_it_in_portuguese(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    user = factories.make_user(
        role=Role.SALES, email="sofia@example.com", full_name="Sofia Sales", team="Lisbon"
    )
    customer = factories.make_party(
        given_name="Beatriz",
        family_name="Lopes",
        email="beatriz@example.com",
        owner=user,
        team=user.team,
    )
    factories.make_party(given_name="Carlos", family_name="Moura", owner=user, team=user.team)

    # Sign in.
    page.goto(f"{base}/sign-in/")
    page.get_by_label("E-mail").fill("sofia@example.com")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Sofia Sales")).to_be_visible()

    # Search a customer: the list narrows while typing, without a page load.
    page.get_by_role("link", name="Parties", exact=True).click()
    expect(page.get_by_role("link", name="Carlos Moura")).to_be_visible()
    page.get_by_label("Search").fill("beatriz")
    expect(page.get_by_role("link", name="Carlos Moura")).to_be_hidden()
    expect(page.get_by_text("1 party")).to_be_visible()

    # Open the party page.
    page.get_by_role("link", name="Beatriz Lopes").click()
    expect(page.get_by_role("heading", name="Beatriz Lopes", level=1)).to_be_visible()
    expect(page.get_by_text("beatriz@example.com")).to_be_visible()

    # Log a phone call; it appears on the timeline without a reload.
    page.evaluate("window.__same_page = true")
    # The form that logs an interaction (the activities panel has "Notes" fields of its own).
    log = page.locator("form", has=page.get_by_role("button", name="Log interaction"))
    log.get_by_label("Channel", exact=True).first.select_option("phone")
    log.get_by_label("Outbound").check()
    log.get_by_label("Subject").fill("Called about the spring catalogue")
    log.get_by_label("Notes").fill("Wants samples of the new range.")
    log.get_by_label("Outcome").fill("Samples to send")
    log.get_by_role("button", name="Log interaction").click()
    timeline = page.locator("#timeline-entries")
    expect(timeline.get_by_text("Called about the spring catalogue")).to_be_visible()
    expect(page.get_by_text("The interaction was logged.")).to_be_visible()
    assert page.evaluate("window.__same_page") is True
    assert page.get_by_label("Subject").input_value() == ""
    assert Interaction.objects.filter(
        party=customer, channel="phone", direction="outbound", staff=user
    ).exists()

    # Switch the language to Portuguese: the same page comes back translated.
    page.get_by_label("Language").select_option("pt")
    expect(page.get_by_role("heading", name="Registar uma interação")).to_be_visible()
    expect(page.get_by_role("heading", name="Cronologia")).to_be_visible()
    expect(page.get_by_role("navigation").get_by_role("link", name="Partes")).to_be_visible()
    expect(page.locator("#timeline-entries").get_by_text("Telefone")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "pt"
