"""A manager merges two records of one customer keeping the second's family name, checks the
party kept, then undoes the merge: both records are back as they were."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from clientela.accounts.models import Role
from clientela.dedupe.models import DuplicateCandidate, MergeRecord
from clientela.dedupe.services import scan_duplicates
from clientela.interactions.models import Interaction
from clientela.parties.models import Affiliation, Party
from tests import factories
from tests.dedupe.helpers import organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_merge_with_a_chosen_family_name_then_unmerge(page: Page, live_server: object) -> None:
    base = str(live_server)
    factories.make_user(role=Role.MANAGER, email="mia@example.com", full_name="Mia Manager")
    first = factories.make_party(
        given_name="Beatriz", family_name="Lopes", phone="+351912000111", language="pt"
    )
    second = factories.make_party(
        given_name="Beatriz", family_name="Lopes Moura", phone="+351912000111"
    )
    Affiliation.objects.create(
        person=second, organization=organization("Acme"), title="Head of purchasing"
    )
    factories.make_interaction(second, subject="Asked for the spring catalogue")
    scan_duplicates()
    pair = DuplicateCandidate.objects.get()

    page.goto(f"{base}/sign-in/")
    page.get_by_label("E-mail").fill("mia@example.com")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Mia Manager")).to_be_visible()

    # The pair side by side: the family names differ, the given name is shared and kept.
    page.goto(f"{base}/duplicates/{pair.pk}/")
    fields = page.locator("table.merge-fields")
    expect(fields.get_by_text("the same in both: kept")).to_be_visible()
    page.get_by_label(f"{first.display_name} (#{first.pk})").check()
    fields.get_by_label("Lopes Moura").check()
    page.get_by_role("button", name="Merge", exact=True).click()

    # The party kept carries the chosen name, the job title and the other's call.
    expect(page.get_by_role("heading", name="Beatriz Lopes Moura", level=1)).to_be_visible()
    expect(page.get_by_text("was merged into")).to_be_visible()
    expect(page.get_by_text("Asked for the spring catalogue")).to_be_visible()
    page.get_by_role("link", name="Details", exact=True).click()  # the page's Details section
    expect(page.get_by_text("Head of purchasing")).to_be_visible()
    assert Party.objects.get(pk=second.pk).archived_at is not None

    # Undo it from the recent merges.
    page.goto(f"{base}/duplicates/")
    page.get_by_role("link", name="Recent merges").click()
    page.get_by_role("link", name=f"Beatriz Lopes Moura #{second.pk}").click()
    page.get_by_role("button", name="Unmerge").click()
    expect(page.get_by_text("The merge was undone")).to_be_visible()
    expect(page.get_by_role("heading", name="Beatriz Lopes", level=1)).to_be_visible()
    expect(page.get_by_text("Asked for the spring catalogue")).to_be_hidden()

    # Both are back as they were, each with its own history.
    page.goto(f"{base}/parties/{second.pk}/")
    expect(page.get_by_role("heading", name="Beatriz Lopes Moura", level=1)).to_be_visible()
    expect(page.get_by_text("Asked for the spring catalogue")).to_be_visible()
    page.goto(f"{base}/parties/{second.pk}/?tab=details")
    expect(page.get_by_text("Head of purchasing")).to_be_visible()
    assert Interaction.objects.get().party_id == second.pk
    assert Party.objects.get(pk=first.pk).family_name == "Lopes"
    assert MergeRecord.objects.get().unmerged_at is not None
