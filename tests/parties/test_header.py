"""What the customer page's header says about a party (parties.presenters.party_header)."""

from __future__ import annotations

import pytest
from pytest_django import DjangoAssertNumQueries

from clientela.accounts.models import User
from clientela.parties.models import ContactKind, ContactPoint, PartyKind
from clientela.parties.presenters import party_header
from clientela.parties.queries import visible_party_details
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_primary_email_and_phone_come_first(admin: User) -> None:
    party = factories.make_party(email="first@example.com")
    ContactPoint.objects.filter(party=party).update(is_primary=False)
    ContactPoint.objects.create(
        party=party, kind=ContactKind.EMAIL, value="main@example.com",
        normalized="main@example.com", is_primary=True,
    )  # fmt: skip
    ContactPoint.objects.create(
        party=party, kind=ContactKind.PHONE, value="+351 912 345 678", normalized="+351912345678"
    )

    header = party_header(visible_party_details(admin, party.pk))

    assert header["email"].value == "main@example.com"
    assert header["phone"].normalized == "+351912345678"  # the only one, though not primary


def test_a_person_names_their_organizations_and_an_organization_its_parent(admin: User) -> None:
    group = factories.make_party(kind=PartyKind.ORGANIZATION, organization_name="Atlas Group")
    porto = factories.make_party(
        kind=PartyKind.ORGANIZATION, organization_name="Atlas Porto", parent=group
    )
    person = factories.make_party(given_name="Rui")
    person.affiliations.create(organization=porto, title="Buyer")
    person.affiliations.create(organization=group)

    of_person = party_header(visible_party_details(admin, person.pk))
    of_porto = party_header(visible_party_details(admin, porto.pk))
    of_group = party_header(visible_party_details(admin, group.pk))

    assert sorted(o["name"] for o in of_person["organizations"]) == ["Atlas Group", "Atlas Porto"]
    assert {o["id"] for o in of_person["organizations"]} == {group.pk, porto.pk}
    assert of_porto["organizations"] == [{"id": group.pk, "name": "Atlas Group"}]
    assert of_group["organizations"] == []


def test_a_party_with_no_contacts_has_none_in_the_header(admin: User) -> None:
    party = factories.make_party()

    header = party_header(visible_party_details(admin, party.pk))

    assert header["email"] is None
    assert header["phone"] is None


def test_the_header_reads_what_the_page_loaded(
    admin: User, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    party = visible_party_details(admin, factories.make_party(email="a@example.com").pk)

    with django_assert_num_queries(0):
        party_header(party)
