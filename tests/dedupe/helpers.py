"""Small builders for the dedupe tests: parties with a city or an organization."""

from __future__ import annotations

from typing import Any

from clientela.parties.models import Affiliation, ContactKind, ContactPoint, Party, PartyKind
from clientela.parties.services import refresh_search_text
from tests.factories import make_party


def person(
    given: str, family: str, *, city: str = "", org: Party | None = None, **extra: Any
) -> Party:
    party = make_party(given_name=given, family_name=family, **extra)
    if city:
        ContactPoint.objects.create(
            party=party,
            kind=ContactKind.ADDRESS,
            value=f"1 Main St, {city}",
            normalized=f"1 main st, {city.lower()}",
            locality=city,
            is_primary=True,
        )
    if org is not None:
        Affiliation.objects.create(person=party, organization=org)
    refresh_search_text(party)
    return party


def organization(name: str, **extra: Any) -> Party:
    return make_party(kind=PartyKind.ORGANIZATION, organization_name=name, **extra)
