"""A NUL character in a page's query string or form field is refused with a 422 page naming the
field, before any view reads it; nothing is saved."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from clientela.accounts.models import User
from clientela.consent.models import Preferences
from clientela.consent.services import issue_token
from clientela.parties.models import Party
from tests.factories import make_party
from tests.parties.test_views import person_form

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]
NUL = "\x00"
REFUSED = "must not contain a NUL character"


def test_a_nul_in_a_search_is_refused_naming_the_field(admin: User, web_client: WebClient) -> None:
    response = web_client(admin).get("/parties/", {"q": f"ana{NUL}"})
    assert response.status_code == 422
    page = response.content.decode()
    assert REFUSED in page
    assert "<strong>q</strong>" in page


def test_a_nul_in_a_form_field_is_refused_and_nothing_is_saved(
    admin: User, web_client: WebClient
) -> None:
    response = web_client(admin).post("/parties/new/", person_form(given_name=f"{NUL}=1"))
    assert response.status_code == 422
    assert "<strong>given_name</strong>" in response.content.decode()
    assert not Party.objects.exists()


def test_a_nul_in_the_sign_in_form_is_refused(admin: User) -> None:
    response = Client().post("/sign-in/", {"email": f"{admin.email}{NUL}", "password": "x"})
    assert response.status_code == 422
    assert REFUSED in response.content.decode()


def test_a_nul_on_the_preference_centre_is_refused_and_nothing_is_saved() -> None:
    party = make_party(email="ana@example.com")
    url = reverse("consent:preference_centre", args=[issue_token(party, purpose="preferences")])
    response = Client().post(url, {"action": "save", "topics": f"wine{NUL}"})
    assert response.status_code == 422
    assert not Preferences.objects.exists()


def test_a_nul_written_in_the_builders_json_is_refused(
    manager: User, web_client: WebClient
) -> None:
    rules = '{"all": [{"field": "tag", "op": "eq", "value": "vip\\u0000"}]}'
    response = web_client(manager).post("/segments/preview/", {"rules": rules})
    assert response.status_code == 422
    assert REFUSED in response.content.decode()
