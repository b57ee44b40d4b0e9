from __future__ import annotations

import pytest

from clientela.accounts.models import User
from clientela.dedupe.models import CandidateStatus, DuplicateCandidate
from clientela.dedupe.services import mark_not_duplicate, scan_duplicates
from tests.dedupe.helpers import organization, person
from tests.factories import make_party

pytestmark = pytest.mark.django_db


def _pair(a: int, b: int) -> DuplicateCandidate:
    return DuplicateCandidate.objects.get(party_a_id=min(a, b), party_b_id=max(a, b))


def _codes(pair: DuplicateCandidate) -> set[str]:
    return {r["code"] for r in pair.reasons}


def test_a_typo_in_a_name_with_the_same_organization_and_city_is_found() -> None:
    acme = organization("Acme Ltd")
    a = person("Jonathan", "Smith", city="Lisbon", org=acme)
    b = person("Jonathon", "Smith", city="LISBON", org=acme)
    scan_duplicates()
    pair = _pair(a.pk, b.pk)
    assert {"similar_name", "same_organization", "same_city"} <= _codes(pair)
    assert pair.score >= 80
    assert pair.status == CandidateStatus.OPEN


def test_swapped_first_and_last_names_with_the_same_phone_are_found() -> None:
    a = make_party(given_name="Maria", family_name="Silva", phone="+351912345678")
    b = make_party(given_name="Silva", family_name="Maria", phone="+351912345678")
    scan_duplicates()
    pair = _pair(a.pk, b.pk)
    assert {"same_name", "swapped_names", "same_phone"} <= _codes(pair)
    assert pair.is_exact


def test_the_same_phone_with_a_slightly_different_name_is_found() -> None:
    a = make_party(given_name="Catarina", family_name="Lopes", phone="+12125550199")
    b = make_party(given_name="Catarina", family_name="Lopes Santos", phone="+12125550199")
    scan_duplicates()
    assert "same_phone" in _codes(_pair(a.pk, b.pk))


def test_namesakes_with_nothing_else_in_common_are_not_proposed() -> None:
    person("John", "Brown", city="Porto")
    person("John", "Brown", city="Faro")
    scan_duplicates()
    assert not DuplicateCandidate.objects.exists()


def test_different_people_sharing_a_phone_are_not_called_exact() -> None:
    a = make_party(given_name="Anna", family_name="Kowalski", phone="+12125550199")
    b = make_party(given_name="Piotr", family_name="Kowalski", phone="+12125550199")
    scan_duplicates()
    pair = DuplicateCandidate.objects.filter(party_a=min(a.pk, b.pk)).first()
    assert pair is None or not pair.is_exact


def test_a_person_and_an_organization_are_never_paired() -> None:
    make_party(given_name="Acme", family_name="Trading", email="x@acme.example")
    organization("Acme Trading", email="x@acme.example")
    scan_duplicates()
    assert not DuplicateCandidate.objects.exists()


def test_a_pair_marked_not_a_duplicate_is_not_proposed_again(manager: User) -> None:
    a = make_party(given_name="Maria", family_name="Silva", phone="+351912345678")
    b = make_party(given_name="Maria", family_name="Silva", phone="+351912345678")
    scan_duplicates()
    mark_not_duplicate(_pair(a.pk, b.pk), by=manager)
    result = scan_duplicates()
    assert result.created == 0
    assert _pair(a.pk, b.pk).status == CandidateStatus.NOT_DUPLICATE
    assert DuplicateCandidate.objects.count() == 1


def test_a_rescan_keeps_open_pairs_and_drops_pairs_no_longer_alike() -> None:
    a = make_party(given_name="Maria", family_name="Silva", phone="+351912345678")
    b = make_party(given_name="Maria", family_name="Silva", phone="+351912345678")
    scan_duplicates()
    first = _pair(a.pk, b.pk)
    assert scan_duplicates().created == 0
    assert _pair(a.pk, b.pk).pk == first.pk
    b.contact_points.all().delete()
    b.given_name, b.family_name = "Pedro", "Nunes"
    b.save()
    from clientela.parties.services import refresh_search_text

    refresh_search_text(b)
    assert scan_duplicates().removed == 1
    assert not DuplicateCandidate.objects.exists()
