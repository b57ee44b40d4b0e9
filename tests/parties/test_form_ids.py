"""Ids no row can have (≥ 2**63) typed into the pages' forms and query strings: the field is
named on the page or the party is not found, never a 500."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.interactions.models import Interaction
from clientela.parties.models import Party, PartyKind
from clientela.segments.models import Segment, StaticMember
from tests.factories import make_party
from tests.parties.test_views import person_form

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]
BIG = str(2**63)
AT_MOST = "must be at most 9223372036854775807"


def test_a_parent_or_organization_no_row_can_have_is_named_on_the_form(
    admin: User, web_client: WebClient
) -> None:
    client = web_client(admin)
    org = {"kind": "organization", "organization_name": "Porto", "parent_id": BIG}
    works = person_form(**{"affiliations-0-organization_id": BIG})
    for form in (org, works):
        response = client.post("/parties/new/", form)
        assert response.status_code == 422
        assert AT_MOST in response.content.decode()
    assert not Party.objects.exists()


def test_a_list_filter_no_row_can_have_is_named_on_the_page(
    admin: User, web_client: WebClient
) -> None:
    for name in ("owner", "team"):
        response = web_client(admin).get("/parties/", {name: BIG})
        assert response.status_code == 200
        assert AT_MOST in response.content.decode()


def test_the_organization_picker_finds_nothing_for_an_id_no_row_can_have(
    admin: User, web_client: WebClient
) -> None:
    make_party(kind=PartyKind.ORGANIZATION, organization_name="Ltd")
    response = web_client(admin).get("/parties/organizations/", {"q": BIG})
    assert response.status_code == 200
    assert "Ltd" not in response.content.decode()


def test_a_contact_logged_for_a_party_id_no_row_can_have_is_not_found(
    admin: User, web_client: WebClient
) -> None:
    response = web_client(admin).post("/interactions/new/", {"party_id": BIG})
    assert response.status_code == 404
    assert not Interaction.objects.exists()


def test_a_static_list_refuses_a_party_id_no_row_can_have(
    admin: User, web_client: WebClient
) -> None:
    segment = Segment.objects.create(name="List", kind="static", owner=admin)
    client = web_client(admin)
    response = client.post(f"/segments/{segment.pk}/members/add/", {"party_id": BIG}, follow=True)
    assert "That party could not be added" in response.content.decode()
    assert not StaticMember.objects.exists()
