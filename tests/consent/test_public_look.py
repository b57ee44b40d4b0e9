"""Every public page says who is writing: the company's name and logo above, its postal address
below, in the customer's language (the link's, else the browser's), with the app's own styles
and nothing from another site."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from clientela.accounts.services import set_company_logo, update_company
from clientela.consent.services import issue_token
from tests import factories
from tests.accounts.test_company_logo import png

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(admin: User, settings: Settings, tmp_path: Path) -> str:
    settings.HOME = tmp_path
    update_company(
        by=admin, name="Casa <Aurora> & Filhos", postal_address="Rua das Flores 12\n4050-262 Porto"
    )
    return set_company_logo(by=admin, data=png()).logo_url


def public_pages(client: Client) -> dict[str, str]:
    party = factories.make_party(email="bea@example.com")
    preferences = issue_token(party, purpose="preferences")
    unsubscribe = issue_token(party, purpose="unsubscribe", list_purpose="newsletter")
    urls = {
        "preferences": f"/preferences/{preferences}/",
        "unsubscribe": f"/unsubscribe/{unsubscribe}/",
        "signup": "/signup/",
        "invalid link": "/preferences/not-a-token/",
    }
    return {name: client.get(url).content.decode() for name, url in urls.items()}


def test_every_public_page_shows_the_company_name_logo_and_address(
    company: str, client: Client
) -> None:
    for name, page in public_pages(client).items():
        header = re.search(r"<header class=\"public-header\">.*?</header>", page, re.S)
        assert header is not None, name
        assert "Casa &lt;Aurora&gt; &amp; Filhos" in header.group(0), name  # escaped
        assert f'src="{company}"' in header.group(0), name
        footer = re.search(r"<footer.*?</footer>", page, re.S)
        assert footer is not None, name
        assert "Rua das Flores 12<br>4050-262 Porto" in footer.group(0), name
        assert "/static/consent/public.css" in page, name
        assert '<main id="main"' in page, name
        assert 'class="skip" href="#main"' in page, name
        assert "http://" not in page.replace("http://www.w3.org", ""), name  # no other site
        assert "https://" not in page, name


def test_without_a_name_or_logo_the_header_is_left_out(client: Client) -> None:
    page = client.get("/signup/").content.decode()
    assert "public-header" not in page
    assert "<main" in page


def test_a_page_without_a_language_of_its_own_speaks_the_browsers(client: Client) -> None:
    party = factories.make_party(email="bea@example.com")  # no language on record
    token = issue_token(party, purpose="preferences")
    for url in (f"/preferences/{token}/", "/signup/", "/preferences/not-a-token/"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="it-IT,it;q=0.9").content.decode()
        assert '<html lang="it">' in page, url


def test_the_customers_own_language_wins_over_the_browsers(client: Client) -> None:
    party = factories.make_party(email="bea@example.com", language="pt")
    token = issue_token(party, purpose="preferences")
    page = client.get(f"/preferences/{token}/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="pt">' in page


def test_the_grid_names_each_box_for_a_screen_reader_and_a_thumb(client: Client) -> None:
    page = public_pages(client)["preferences"]
    boxes = re.findall(
        r'<td><label class="grid-label" for="([^"]+)"[^>]*>[^<]+</label>'
        r'<input type="checkbox" name="([^"]+)" id="([^"]+)"',
        page,
    )
    assert boxes
    assert all(label == box_id for label, _name, box_id in boxes)
    assert 'aria-label="Marketing by E-mail"' in page
