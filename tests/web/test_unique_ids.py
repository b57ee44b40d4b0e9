"""Every id on a page is unique: a label's `for` and a script's lookup find one element.

The header's language menu and the party form's language field were both `id_language`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable

import pytest
from django.test import Client

from clientela.accounts.models import User
from tests.factories import make_party

IDS = re.compile(r'\sid="([^"]+)"')


def _repeated_ids(html: str) -> list[str]:
    return sorted(name for name, count in Counter(IDS.findall(html)).items() if count > 1)


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/", "/parties/", "/parties/new/", "edit", "party"])
def test_no_id_is_used_twice_on_a_page(
    page: str, admin: User, web_client: Callable[[User], Client]
) -> None:
    party = make_party(given_name="Inês", family_name="Sousa")
    path = {"edit": f"/parties/{party.pk}/edit/", "party": f"/parties/{party.pk}/"}.get(page, page)
    response = web_client(admin).get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="header-language"' in html
    assert _repeated_ids(html) == []
