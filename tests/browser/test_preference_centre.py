"""A customer changes their consents in the preference centre; staff see it with its proof."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from clientela.accounts.models import Role
from clientela.consent.services import issue_token, may_contact
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_turns_e_mail_marketing_off_and_post_on_and_staff_see_the_proof(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    factories.make_user(role=Role.MANAGER, email="maria@example.com", full_name="Maria Manager")
    customer = factories.make_party(
        given_name="Beatriz", family_name="Lopes", email="beatriz@example.com"
    )
    token = issue_token(customer, purpose="preferences")

    # The customer opens the link from an e-mail: no sign-in.
    page.goto(f"{base}/preferences/{token}/")
    expect(page.get_by_role("heading", name="Your preferences")).to_be_visible()
    email_marketing = page.get_by_label("Marketing by E-mail")
    expect(email_marketing).to_be_checked()  # an existing customer: soft opt-in
    email_marketing.uncheck()
    page.get_by_label("Marketing by Post").check()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()
    expect(page.get_by_label("Marketing by E-mail")).not_to_be_checked()
    expect(page.get_by_label("Marketing by Post")).to_be_checked()
    assert may_contact(customer, purpose="marketing", channel="email").reason == "withdrawn"

    # A manager signs in and opens the party's consent page.
    page.goto(f"{base}/sign-in/")
    page.get_by_label("E-mail").fill("maria@example.com")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/parties/{customer.pk}/consents/")
    gate_cell = page.locator('.consent-gate td[data-purpose="marketing"][data-channel="email"]')
    expect(gate_cell).to_contain_text("withdrew consent")
    granted = page.locator(
        '.consent-history tr[data-purpose="marketing"][data-channel="post"][data-status="granted"]'
    )
    expect(granted).to_contain_text("Preference centre")
    expect(granted).to_contain_text("127.0.0.1")
    expect(granted).to_contain_text("Mozilla/5.0")
    granted.get_by_text("Wording").click()
    expect(granted.locator("blockquote")).to_contain_text("by Post")
    withdrawn = page.locator(
        '.consent-history tr[data-purpose="marketing"][data-channel="email"]'
        '[data-status="withdrawn"]'
    )
    expect(withdrawn).to_contain_text("Legitimate interest")
