from __future__ import annotations

import pytest

from clientela.accounts.models import User
from clientela.parties.models import PartyKind
from clientela.parties.schemas import PartyCreate
from clientela.parties.services import create_party
from clientela.parties.services.identity import (
    find_exact_matches,
    name_key,
    normalize_email,
    normalize_name,
    normalize_phone,
)
from tests.factories import make_party


def test_an_email_is_matched_whatever_its_case_and_surrounding_spaces() -> None:
    assert normalize_email("  Maria.Silva@Example.COM\u00a0") == "maria.silva@example.com"


def test_an_email_with_a_zero_width_space_is_the_same_address() -> None:
    assert normalize_email("\u200bana@example.com") == "ana@example.com"


def test_an_internationalised_domain_is_written_in_ascii() -> None:
    assert normalize_email("Zoë@Bücher.example") == "zoë@xn--bcher-kva.example"


def test_an_invalid_email_says_why() -> None:
    with pytest.raises(ValueError, match="is not a valid e-mail address"):
        normalize_email("maria at example")


def test_phones_written_differently_have_one_e164_form() -> None:
    forms = {"(212) 555-0199", "212.555.0199", "+1 212 555 0199", "001 212 555 0199"}
    assert {normalize_phone(f, "US") for f in forms} == {"+12125550199"}


def test_a_phone_with_the_00_prefix_is_international_in_any_region() -> None:
    assert normalize_phone("0044 20 7946 0958", "US") == "+442079460958"


def test_a_name_is_folded_for_matching() -> None:
    assert normalize_name("  Ana-María  O'Brien ") == "ana maria obrien"
    assert normalize_name("Łukasz Søren") == "lukasz soren"


def test_swapped_first_and_last_names_have_the_same_name_key() -> None:
    assert name_key("person", "Maria", "Silva", "") == name_key("person", "SILVA", "maria", "")


def test_an_organizations_legal_form_is_left_out_of_its_name_key() -> None:
    assert name_key("organization", "", "", "Acme Trading, S.A.") == "acme trading"
    assert name_key("organization", "", "", "ACME trading Ltd") == "acme trading"


@pytest.mark.django_db
def test_every_write_through_the_service_stores_the_name_key(manager: User) -> None:
    party = create_party(
        PartyCreate(kind=PartyKind.PERSON, given_name="José", family_name="Müller"), by=manager
    )
    party.refresh_from_db()
    assert party.name_key == "jose muller"
    assert party.given_name == "José"  # the value as typed is kept for display


@pytest.mark.django_db
def test_exact_matches_are_found_whatever_the_spelling() -> None:
    first = make_party(email="maria@example.com", phone="+12125550199")
    second = make_party(phone="+12125550199")
    found = find_exact_matches(["MARIA@example.com ", "nobody@example.com"], ["(212) 555-0199"])
    assert found == {
        "+12125550199": sorted([first.pk, second.pk]),
        "maria@example.com": [first.pk],
    }


@pytest.mark.django_db
def test_exact_matches_ignore_invalid_values_and_archived_parties() -> None:
    from django.utils import timezone

    make_party(email="gone@example.com", archived_at=timezone.now())
    assert find_exact_matches(["gone@example.com", "not an e-mail"], ["12"]) == {}
