"""A marketer builds a segment in a real browser: the builder, its live count, the saved page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from clientela.accounts.models import Role
from clientela.parties.models import Tag
from clientela.segments.models import Segment
from tests import factories
from tests.segments.helpers import metrics

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_build_a_segment_watch_the_count_and_save_it(page: Page, live_server: object) -> None:
    base = str(live_server)
    factories.make_user(role=Role.MARKETING, email="mia@example.com", full_name="Mia Marketing")
    vip = Tag.objects.create(name="vip")
    for n in range(3):
        party = factories.make_party(given_name=f"Risky{n}")
        metrics(party, lifecycle_state="at_risk")
        if n == 0:
            party.tags.add(vip)
    metrics(factories.make_party(given_name="Happy"), lifecycle_state="active")

    page.goto(f"{base}/sign-in/")
    page.get_by_label("E-mail").fill("mia@example.com")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Segments", exact=True).click()
    page.get_by_role("link", name="New segment").click()

    # Everyone matches an empty rule set; each condition narrows the live count.
    expect(page.locator("[data-count]")).to_have_attribute("data-count", "4")
    page.get_by_label("Name").fill("Slipping away")
    page.get_by_role("button", name="Add condition").click()
    page.get_by_label("Field").select_option("lifecycle_state")
    page.get_by_label("Value").select_option("at_risk")
    expect(page.locator("[data-count]")).to_have_attribute("data-count", "3")

    # A nested "any" group: tagged vip, or a tag that nobody has.
    page.get_by_role("button", name="Add group").click()
    group_fields = page.get_by_label("Field")
    group_fields.nth(1).select_option("tag")
    page.get_by_label("Value").nth(1).fill("vip")
    expect(page.locator("[data-count]")).to_have_attribute("data-count", "1")

    page.get_by_role("button", name="Save segment").click()
    expect(page.get_by_role("heading", name="Slipping away", level=1)).to_be_visible()
    expect(page.get_by_text("1 member you can see")).to_be_visible()
    assert Segment.objects.get().rules == {
        "all": [
            {"field": "lifecycle_state", "op": "eq", "value": "at_risk"},
            {"any": [{"field": "tag", "op": "eq", "value": "vip"}]},
        ]
    }
