"""A manager builds a saved view sorted by lifetime value, bulk-assigns 20 parties to a team,
and the audit log holds it (issue 12: "what must be shown")."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from clientela.accounts.models import AuditEntry, Role, Team
from clientela.parties.models import Party, PartyChange
from clientela.segments.models import SavedView
from tests import factories
from tests.segments.helpers import metrics

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_saves_a_view_by_clv_and_assigns_twenty_parties_to_a_team(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    factories.make_user(
        role=Role.MANAGER, email="maria@example.com", full_name="Maria Manager", team="Head office"
    )
    north = Team.objects.create(name="North")
    parties = []
    for n in range(25):
        party = factories.make_party(given_name=f"Client{n:02d}", family_name="Value")
        metrics(party, clv=Decimal(100 + n * 10))
        parties.append(party)
    top = [p.pk for p in sorted(parties, key=lambda p: -p.pk)][:20]  # higher n, higher CLV

    page.goto(f"{base}/sign-in/")
    page.get_by_label("E-mail").fill("maria@example.com")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Maria Manager")).to_be_visible()
    page.get_by_role("link", name="Parties", exact=True).click()

    # Show the lifetime value, then sort by it: the first click puts the largest first.
    page.get_by_text("Columns", exact=True).click()
    page.get_by_label("Lifetime value").check()
    page.get_by_role("button", name="Show these columns").click()
    page.locator("a.sort-link[data-column='clv']").click()
    expect(page.locator("th[aria-sort='descending']")).to_contain_text("Lifetime value")
    expect(page.locator("a.row-link").first).to_have_text("Client24 Value")

    # Save it as a view shared with everyone; it is listed beside the list and opens sorted.
    page.get_by_label("Save this list as").fill("Top customers by CLV")
    page.get_by_label("Shared with", exact=True).first.select_option("everyone")
    page.get_by_role("button", name="Save view").click()
    expect(page.get_by_text("The view “Top customers by CLV” was saved.")).to_be_visible()
    expect(page.locator(".saved-views a[aria-current='page']")).to_have_text("Top customers by CLV")
    view = SavedView.objects.get()
    assert (view.sort, view.sharing) == ("-clv", "everyone")
    assert "clv" in view.columns

    # Tick the first 20 rows and assign them to the North team.
    boxes = page.locator("input[name='ids']")
    for i in range(20):
        boxes.nth(i).check()
    page.locator("#id_scope").select_option("selected")
    page.locator("#id_action").select_option("assign")
    page.locator("#id_bulk_team").select_option(str(north.pk))
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("20 of 20 parties were changed.")).to_be_visible()
    expect(page.locator(".saved-views a[aria-current='page']")).to_have_text("Top customers by CLV")

    assert set(Party.objects.filter(team=north).values_list("pk", flat=True)) == set(top)
    entry = AuditEntry.objects.get(action="parties.bulk_assigned")
    assert entry.actor_email == "maria@example.com"
    assert entry.details["count"] == 20
    assert entry.details["team_id"] == north.pk
    assert sorted(entry.details["ids"]) == sorted(top)
    assert PartyChange.objects.filter(changes__has_key="team_id").count() == 20

    # The audit log shows it, in words.
    page.goto(f"{base}/settings/audit/")
    expect(page.get_by_text("assigned 20 parties (20 changed)")).to_be_visible()


def test_a_view_saved_after_a_live_search_keeps_the_search(page: Page, live_server: object) -> None:
    base = str(live_server)
    factories.make_user(role=Role.MARKETING, email="mark@example.com", full_name="Mark Eting")
    factories.make_party(given_name="Beatriz", family_name="Lopes")
    factories.make_party(given_name="Carlos", family_name="Moura")

    page.goto(f"{base}/sign-in/")
    page.get_by_label("E-mail").fill("mark@example.com")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/parties/")
    page.get_by_label("Search").fill("beatriz")
    expect(page.get_by_role("link", name="Carlos Moura")).to_be_hidden()  # the rows, by htmx
    page.get_by_label("Save this list as").fill("Beatriz")
    page.get_by_role("button", name="Save view").click()
    expect(page.get_by_text("The view “Beatriz” was saved.")).to_be_visible()

    assert SavedView.objects.get().filters == {"q": "beatriz"}
    expect(page.get_by_role("link", name="Carlos Moura")).to_be_hidden()
