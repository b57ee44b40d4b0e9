"""A salesperson logs a call with a file, then corrects it: both entries on the timeline."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.fixtures import Settings

from clientela.accounts.models import Role
from clientela.interactions.models import Attachment, Interaction
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def test_log_an_interaction_with_a_file_correct_it_and_see_both_on_the_timeline(
    page: Page, live_server: object, settings: Settings, tmp_path: Path
) -> None:
    settings.HOME = tmp_path / "home"
    base = str(live_server)
    user = factories.make_user(role=Role.SALES, email="rui@example.com", team="Porto")
    customer = factories.make_party(
        given_name="Inês", family_name="Moura", owner=user, team=user.team
    )
    quote = tmp_path / "quote.pdf"
    quote.write_bytes(PDF)

    page.goto(f"{base}/sign-in/")
    page.get_by_label("E-mail").fill("rui@example.com")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/parties/{customer.pk}/")

    # Log a call with a file: it appears on the timeline with its file, without a reload.
    log = page.locator("form", has=page.get_by_role("button", name="Log interaction"))
    log.get_by_label("Subject").fill("Sent the quote for 30 chairs")
    log.get_by_label("Attachments").set_input_files(str(quote))
    log.get_by_role("button", name="Log interaction").click()
    timeline = page.locator("#timeline-entries")
    expect(timeline.get_by_role("link", name="quote.pdf")).to_be_visible()
    first = Interaction.objects.get()
    assert Attachment.objects.get().interaction_id == first.pk

    # Correct it from the timeline: the form comes filled with the entry.
    timeline.locator(f"#interaction-{first.pk}").get_by_role("link", name="Correct").click()
    expect(page.get_by_label("Subject")).to_have_value("Sent the quote for 30 chairs")
    page.get_by_label("Subject").fill("Sent the quote for 40 chairs")
    page.get_by_role("button", name="Save the correction").click()

    # Back on the party page: the correction, and the original greyed and folded.
    expect(page.get_by_text("The correction was logged.")).to_be_visible()
    fixed = Interaction.objects.get(corrects=first)
    correction = page.locator(f"#interaction-{fixed.pk}")
    original = page.locator(f"#interaction-{first.pk}")
    expect(correction.get_by_text("Sent the quote for 40 chairs")).to_be_visible()
    expect(correction.get_by_text("Correction of")).to_be_visible()
    expect(original.get_by_text("Sent the quote for 30 chairs")).to_be_visible()
    expect(original.get_by_role("link", name="see the correction")).to_be_visible()
    expect(original.get_by_role("link", name="quote.pdf")).to_be_hidden()  # folded
    original.get_by_text("Show the original entry").click()
    expect(original.get_by_role("link", name="quote.pdf")).to_be_visible()
    assert float(original.locator(".entry-body").evaluate("e => getComputedStyle(e).opacity")) < 1
