"""On a phone (390 by 844): no page scrolls sideways, tables of records become labelled cards,
and the public pages show the company's name, logo and address in the customer's language."""

from __future__ import annotations

import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, ViewportSize, expect
from pytest_django.fixtures import Settings

from clientela.accounts.models import Role
from clientela.accounts.services import set_company_logo, update_company
from clientela.consent.services import issue_token
from clientela.consent.services.privacy import open_request
from tests import factories
from tests.accounts.test_company_logo import png

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = ViewportSize(width=390, height=844)
SCROLLS_SIDEWAYS = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


def assert_fits(page: Page, path: str) -> None:
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert not page.evaluate(SCROLLS_SIDEWAYS), f"{path} scrolls sideways: {widths}"


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_the_main_staff_pages_fit_a_phone_and_lists_become_cards(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    admin = factories.make_user(role=Role.ADMIN, email="ana@example.com", full_name="Ana Admin")
    customer = factories.make_party(
        given_name="Maximiliana Hermenegilda",
        family_name="Vasconcelos-Albuquerque de Bragança",
        email="maximiliana.hermenegilda.vasconcelos.albuquerque@exemplo-muito-comprido.pt",
        phone="+351912345678",
        owner=admin,
    )
    for days in (400, 200, 30):
        factories.make_order(customer, ordered_at=timezone.now() - timedelta(days=days))
    factories.make_interaction(customer, subject="Pediu o catálogo de Natal " * 4)
    for n in range(3):
        factories.make_party(email=f"cliente{n}@example.com", owner=admin)
    open_request(customer, kind="access", channel="staff", by=admin)  # the queue has a table
    call_command("analytics", "refresh", stdout=StringIO())
    page.set_viewport_size(PHONE)
    sign_in(page, base, "ana@example.com")

    pages = [
        "/",
        "/parties/",
        f"/parties/{customer.pk}/",
        "/parties/new/",
        f"/parties/{customer.pk}/edit/",
        "/analytics/",
        "/segments/new/",
        "/activities/my-day/",
        "/imports/",
        "/privacy-requests/",
        "/settings/company/",
    ]
    for path in pages:
        response = page.goto(f"{base}{path}")
        assert response is not None
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert_fits(page, path)

    # Portuguese words are longer: the top bar and the pages still fit.
    admin.language = "pt"
    admin.save(update_fields=["language"])
    for path in ("/", "/parties/", f"/parties/{customer.pk}/", "/analytics/"):
        page.goto(f"{base}{path}")
        expect(page.locator("html")).to_have_attribute("lang", "pt")
        assert_fits(page, f"{path} in Portuguese")
    admin.language = "en"
    admin.save(update_fields=["language"])

    # The privacy queue was wider than a phone before its table became cards.
    page.goto(f"{base}/privacy-requests/")
    expect(page.locator("main table").first).to_have_class(re.compile(r"\bcards\b"))

    # The party list: each row a card, each cell named by its column.
    page.goto(f"{base}/parties/")
    table = page.locator("main table").first
    expect(table).to_have_class("table parties cards")
    row = page.locator("main table tbody tr", has_text="Vasconcelos")
    expect(row.locator("td[data-label='E-mail']")).to_be_visible()
    assert row.evaluate("r => getComputedStyle(r).display") == "block"
    # Touch-sized controls.
    button = page.locator("main .btn").first.bounding_box()
    assert button is not None
    assert button["height"] >= 40


def test_the_preference_centre_on_a_phone_shows_the_company_in_the_customers_language(
    page: Page, live_server: object, settings: Settings, tmp_path: Path
) -> None:
    settings.HOME = tmp_path
    base = str(live_server)
    admin = factories.make_user(role=Role.ADMIN, email="ana@example.com")
    update_company(
        by=admin, name="Casa Aurora, Lda.", postal_address="Rua das Flores 12\n4050-262 Porto"
    )
    set_company_logo(by=admin, data=png(120, 40))
    customer = factories.make_party(
        given_name="Beatriz", family_name="Lopes", email="beatriz@example.com", language="pt"
    )
    token = issue_token(customer, purpose="preferences")

    page.set_viewport_size(PHONE)
    page.goto(f"{base}/preferences/{token}/")
    expect(page.locator("html")).to_have_attribute("lang", "pt")
    expect(page.get_by_role("heading", name="As suas preferências")).to_be_visible()
    header = page.get_by_role("banner")
    expect(header).to_contain_text("Casa Aurora, Lda.")
    logo = header.locator("img")
    expect(logo).to_be_visible()
    assert logo.evaluate("img => img.naturalWidth") == 120  # served, and a real image
    footer = page.get_by_role("contentinfo")
    expect(footer.locator("address")).to_contain_text("4050-262 Porto")
    expect(page.get_by_role("main")).to_be_visible()
    assert_fits(page, "the preference centre")

    # On a phone each box sits beside its channel's name; tapping the name ticks the box.
    marketing = page.locator("tbody tr").filter(has=page.locator("th", has_text="Marketing"))
    post = marketing.first.locator("td", has_text="Correio postal")
    box = post.locator("input[type=checkbox]")
    expect(box).not_to_be_checked()
    post.locator("label").click()
    expect(box).to_be_checked()
    height = page.get_by_role("button", name="Guardar as minhas escolhas").bounding_box()
    assert height is not None
    assert height["height"] >= 44
    page.get_by_role("button", name="Guardar as minhas escolhas").click()
    expect(page.locator("#saved")).to_be_visible()
    assert_fits(page, "the preference centre, saved")

    # Keyboard users see where they are.
    page.keyboard.press("Tab")
    focused = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focused != "none"


def test_public_pages_without_a_language_of_their_own_follow_the_browser(
    page: Page, live_server: object
) -> None:
    base = str(live_server)
    customer = factories.make_party(email="someone@example.com")  # no language on record
    token = issue_token(customer, purpose="preferences")
    assert page.context.browser is not None
    spanish = page.context.browser.new_context(locale="es-ES", viewport=PHONE)
    other = spanish.new_page()
    other.goto(f"{base}/preferences/{token}/")
    expect(other.locator("html")).to_have_attribute("lang", "es")
    assert not other.evaluate(SCROLLS_SIDEWAYS)
    other.goto(f"{base}/signup/")
    expect(other.locator("html")).to_have_attribute("lang", "es")
    assert not other.evaluate(SCROLLS_SIDEWAYS)
    other.goto(f"{base}/unsubscribe/not-a-token/")
    expect(other.locator("html")).to_have_attribute("lang", "es")
    assert not other.evaluate(SCROLLS_SIDEWAYS)
    spanish.close()
