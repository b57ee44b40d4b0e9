"""Issue 12's phone check in each of the four languages: the customer page (every section),
the party list, the analytics dashboard and the preference centre fit 390 px
(`scrollWidth <= clientWidth`) in English, Portuguese, Spanish and Italian."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from clientela.consent.services import issue_token
from tests import factories
from tests.browser.test_customer_page import busy_customer
from tests.browser.test_small_screens import PHONE, assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ("en", "pt", "es", "it")
TABS = ("timeline", "orders", "value", "consent", "activities", "details")


def test_the_customer_page_and_the_preference_centre_fit_a_phone_in_every_language(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    party = busy_customer()
    owner = party.owner
    assert owner is not None
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/sign-in/")
    page.get_by_label("E-mail").fill(owner.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    for language in LANGUAGES:
        owner.language = language
        owner.save(update_fields=["language"])
        for path in (*(f"/parties/{party.pk}/?tab={tab}" for tab in TABS), "/parties/",
                     "/analytics/"):  # fmt: skip
            response = page.goto(f"{base}{path}")
            assert response is not None
            assert response.status == 200, (language, path)
            expect(page.locator("html")).to_have_attribute("lang", language)
            assert_fits(page, f"{path} in {language}")

        party.language = language
        party.save(update_fields=["language"])
        token = issue_token(party, purpose="preferences")
        page.goto(f"{base}/preferences/{token}/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert_fits(page, f"the preference centre in {language}")
