"""The party form's organization picker shows and takes organizations by name, never by their
internal id: a person's organizations and an organization's parent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.parties.models import Party, PartyKind
from tests import factories
from tests.parties.test_views import person_form

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]


def org(name: str, **fields: Any) -> Party:
    return factories.make_party(kind=PartyKind.ORGANIZATION, organization_name=name, **fields)


def test_a_person_is_affiliated_by_the_organizations_name(
    admin: User, web_client: WebClient
) -> None:
    estrela = org("Cafés Estrela")

    response = web_client(admin).post(
        "/parties/new/",
        person_form(
            **{"affiliations-0-organization_id": "cafés estrela", "affiliations-0-title": "CFO"}
        ),
    )

    assert response.status_code == 302
    person = Party.objects.get(family_name="Costa")
    assert [(a.organization, a.title) for a in person.affiliations.all()] == [(estrela, "CFO")]


def test_the_form_shows_the_organizations_name_not_its_id(
    admin: User, web_client: WebClient
) -> None:
    estrela = org("Cafés Estrela")
    person = factories.make_party(given_name="Lia")
    person.affiliations.create(organization=estrela, title="Buyer")

    body = web_client(admin).get(f"/parties/{person.pk}/edit/").content.decode()

    assert 'name="affiliations-0-organization_id" value="Cafés Estrela"' in body
    datalist = body[body.index('<datalist id="organization-options">') :]
    datalist = datalist[: datalist.index("</datalist>")]
    assert datalist.endswith('<option value="Cafés Estrela"></option>\n')
    assert str(estrela.pk) not in datalist


def test_an_organizations_parent_is_shown_and_taken_by_name(
    admin: User, web_client: WebClient
) -> None:
    group = org("Atlas Group")
    child = org("Atlas Porto", parent=group)
    client = web_client(admin)

    form = client.get(f"/parties/{child.pk}/edit/").content.decode()
    response = client.post(
        "/parties/new/",
        {"kind": "organization", "organization_name": "Atlas Lisboa", "parent_id": "Atlas Group"},
    )

    assert 'name="parent_id" value="Atlas Group"' in form
    assert response.status_code == 302
    assert Party.objects.get(organization_name="Atlas Lisboa").parent == group


def test_two_organizations_of_one_name_are_told_apart_by_their_number(
    admin: User, web_client: WebClient
) -> None:
    first, second = org("Delta Ltd"), org("Delta Ltd")
    client = web_client(admin)

    options = client.get("/parties/organizations/", {"q": "delta"}).content.decode()
    ambiguous = client.post(
        "/parties/new/", person_form(**{"affiliations-0-organization_id": "Delta Ltd"})
    )
    picked = client.post(
        "/parties/new/",
        person_form(**{"affiliations-0-organization_id": f"Delta Ltd · #{second.pk}"}),
    )

    assert f'<option value="Delta Ltd · #{first.pk}"></option>' in options
    assert f'<option value="Delta Ltd · #{second.pk}"></option>' in options
    assert ambiguous.status_code == 422
    assert (
        "is the name of several organizations: pick one from the list" in ambiguous.content.decode()
    )
    assert picked.status_code == 302
    person = Party.objects.get(family_name="Costa")
    assert [a.organization for a in person.affiliations.all()] == [second]


def test_a_name_no_visible_organization_has_is_refused_next_to_the_field(
    sales_a: User, web_client: WebClient
) -> None:
    org("Theirs Ltd")  # not visible to sales_a

    response = web_client(sales_a).post(
        "/parties/new/", person_form(**{"affiliations-0-organization_id": "Theirs Ltd"})
    )

    assert response.status_code == 422
    body = response.content.decode()
    assert "is not the name of an organization you can see (you entered “Theirs Ltd”)" in body
    assert 'id="affiliations-0-organization_id-error"' in body
    assert 'value="Theirs Ltd"' in body  # kept as typed
    assert not Party.objects.filter(family_name="Costa").exists()


def test_an_organizations_number_is_still_taken(admin: User, web_client: WebClient) -> None:
    estrela = org("Cafés Estrela")

    response = web_client(admin).post(
        "/parties/new/", person_form(**{"affiliations-0-organization_id": str(estrela.pk)})
    )

    assert response.status_code == 302
    person = Party.objects.get(family_name="Costa")
    assert [a.organization for a in person.affiliations.all()] == [estrela]
