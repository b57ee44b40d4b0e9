"""What people typed is shown as text: markup in a name or a subject comes out escaped, on
pages and on the fragments htmx swaps in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from clientela.accounts.models import User
from tests import factories

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]
MARKUP = '<img src=x onerror="alert(1)">'


@pytest.mark.parametrize(
    "page",
    ["/parties/{id}/", "/parties/{id}/timeline/", "/parties/{id}/edit/", "/parties/?q=Tester"],
)
def test_markup_typed_into_a_record_is_shown_escaped(
    admin: User, web_client: WebClient, page: str
) -> None:
    party = factories.make_party(given_name=MARKUP)
    factories.make_interaction(party, subject=MARKUP)

    html = web_client(admin).get(page.format(id=party.pk), HTTP_HX_REQUEST="true").content.decode()

    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "<img src=x" not in html
