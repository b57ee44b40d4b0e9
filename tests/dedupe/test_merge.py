from __future__ import annotations

import pytest

from clientela.accounts.models import Right, Role, User
from clientela.commerce.models import Order
from clientela.consent.models import ConsentRecord, Preferences
from clientela.consent.services import store_wording
from clientela.core.errors import Forbidden, Invalid, NotFound
from clientela.dedupe.models import CandidateStatus, DuplicateCandidate, MergeRecord
from clientela.dedupe.services import merge_parties, merged_into, scan_duplicates
from clientela.interactions.models import Interaction
from clientela.interactions.services import timeline
from clientela.parties.models import (
    Affiliation,
    ContactKind,
    ContactPoint,
    KeyDate,
    Party,
    PartyChange,
    PartyRole,
    Tag,
)
from clientela.parties.queries import visible_parties
from tests.conftest import Grant
from tests.dedupe.helpers import organization, person
from tests.factories import make_interaction, make_order, make_party


@pytest.fixture(autouse=True)
def _sales_may_merge(grant: Grant) -> None:
    """Sales may not merge by default (accounts.models.RIGHTS); these tests give them the right
    to show the rules that still hold then (what they see, what they may assign)."""
    grant(Role.SALES, Right.MERGE)


pytestmark = pytest.mark.django_db


def _loaded_pair() -> tuple[Party, Party]:
    survivor = make_party(given_name="Maria", family_name="Silva", email="maria@example.com")
    other = make_party(
        given_name="Maria",
        family_name="Silvaa",
        email="MARIA@example.com",
        phone="+351912345678",
        custom={"vip": True},
        notes="Prefers mornings",
        language="pt",
        roles=("customer", "partner"),
    )
    make_interaction(other, subject="Called about an invoice")
    make_order(other, external_id="ORD-OTHER")
    KeyDate.objects.create(party=other, kind="birthday", month=5, day=17)
    other.tags.add(Tag.objects.create(name="vip"))
    acme = organization("Acme")
    Affiliation.objects.create(person=other, organization=acme, title="Buyer")
    ConsentRecord.objects.create(
        party=other,
        purpose="newsletter",
        channel="email",
        status="granted",
        legal_basis="consent",
        source="web_form",
        wording=store_wording("Yes, send me the newsletter."),  # every record carries one
    )
    Preferences.objects.create(party=other, preferred_channel="email")
    return survivor, other


def test_a_merge_moves_every_row_of_the_other_party_to_the_survivor(manager: User) -> None:
    survivor, other = _loaded_pair()
    merge_parties(survivor, other, by=manager)
    assert Interaction.objects.get().party_id == survivor.pk
    assert Order.objects.get(external_id="ORD-OTHER").party_id == survivor.pk
    assert set(PartyRole.objects.filter(party=survivor).values_list("role", flat=True)) >= {
        "partner"
    }
    assert KeyDate.objects.get().party_id == survivor.pk
    assert list(survivor.tags.values_list("name", flat=True)) == ["vip"]
    assert Affiliation.objects.get().person_id == survivor.pk
    assert ConsentRecord.objects.get().party_id == survivor.pk
    assert Preferences.objects.get().party_id == survivor.pk
    assert not ContactPoint.objects.filter(party=other).exclude(kind=ContactKind.ADDRESS).exists()


def test_contact_points_with_the_same_normalised_value_are_not_doubled(manager: User) -> None:
    survivor, other = _loaded_pair()
    merge_parties(survivor, other, by=manager)
    values = sorted(survivor.contact_points.values_list("normalized", flat=True))
    assert values == ["+351912345678", "maria@example.com"]
    assert survivor.contact_points.filter(kind="email", is_primary=True).count() == 1


def test_fields_keep_the_survivors_values_fill_gaps_and_follow_choices(manager: User) -> None:
    survivor, other = _loaded_pair()
    merge_parties(survivor, other, choices={"family_name": "other"}, by=manager)
    survivor.refresh_from_db()
    assert survivor.family_name == "Silvaa"
    assert survivor.given_name == "Maria"
    assert survivor.language == "pt"  # the survivor had none
    assert survivor.custom == {"vip": True}
    assert survivor.notes == "Prefers mornings"
    assert survivor.display_name == "Maria Silvaa"


def test_the_merged_party_is_archived_and_its_full_record_kept(manager: User) -> None:
    survivor, other = _loaded_pair()
    record = merge_parties(survivor, other, by=manager)
    other.refresh_from_db()
    assert other.archived_at is not None
    assert not visible_parties(manager).filter(pk=other.pk).exists()
    assert record.merged_party_id == other.pk
    assert record.by == manager
    assert record.snapshot["party"]["fields"]["family_name"] == "Silvaa"
    assert record.snapshot["tags"] == ["vip"]
    related = record.snapshot["related"]
    assert related["interactions.interaction.party"][0]["fields"]["subject"] == (
        "Called about an invoice"
    )
    assert related["consent.consentrecord.party"][0]["fields"]["purpose"] == "newsletter"
    assert {c["fields"]["value"] for c in related["parties.contactpoint.party"]} == {
        "MARIA@example.com",
        "+351912345678",
    }
    assert record.moved["interactions.interaction.party"] == 1
    assert merged_into(other.pk) == survivor.pk


def test_the_merge_appears_on_the_survivors_timeline(manager: User) -> None:
    survivor, other = _loaded_pair()
    merge_parties(survivor, other, by=manager)
    entries, _cursor = timeline(survivor)
    kinds = [e.kind for e in entries]
    assert "merge" in kinds
    merge = next(e for e in entries if e.kind == "merge")
    assert str(other.pk) in merge.title
    assert "interaction" in kinds
    assert "order" in kinds


def test_both_parties_record_the_merge_in_their_change_logs(manager: User) -> None:
    survivor, other = _loaded_pair()
    merge_parties(survivor, other, by=manager)
    assert PartyChange.objects.get(party=survivor, action="merged").changes["merged"] == [
        None,
        other.pk,
    ]
    assert PartyChange.objects.filter(party=other, action="merged_into").exists()


def test_the_merged_pair_is_settled_and_other_pairs_of_the_merged_party_leave(
    manager: User,
) -> None:
    a = make_party(given_name="Maria", family_name="Silva", phone="+351912345678")
    b = make_party(given_name="Maria", family_name="Silva", phone="+351912345678")
    c = make_party(given_name="Maria", family_name="Silva", phone="+351912345678")
    scan_duplicates()
    merge_parties(a, b, by=manager)
    assert DuplicateCandidate.objects.get(party_a=a, party_b=b).status == CandidateStatus.MERGED
    assert not DuplicateCandidate.objects.filter(party_b=c, party_a=b).exists()
    scan_duplicates()
    assert DuplicateCandidate.objects.get(party_a=a, party_b=c).status == CandidateStatus.OPEN


def test_child_organizations_and_members_move_to_the_surviving_organization(
    manager: User,
) -> None:
    survivor, other = organization("Acme Trading"), organization("ACME Trading Ltd")
    child = organization("Acme Lisbon", parent=other)
    member = person("Rita", "Lobo", org=other)
    merge_parties(survivor, other, by=manager)
    child.refresh_from_db()
    assert child.parent_id == survivor.pk
    assert Affiliation.objects.get(person=member).organization_id == survivor.pk


def test_a_party_cannot_be_merged_with_a_party_of_another_kind(manager: User) -> None:
    with pytest.raises(Invalid):
        merge_parties(make_party(), organization("Acme"), by=manager)


def test_an_unknown_choice_is_refused_naming_the_field(manager: User) -> None:
    survivor, other = make_party(), make_party()
    with pytest.raises(Invalid) as caught:
        merge_parties(survivor, other, choices={"password": "other"}, by=manager)
    assert caught.value.errors[0].field == "choices.password"
    assert MergeRecord.objects.count() == 0


def test_a_viewer_cannot_merge(viewer: User) -> None:
    with pytest.raises(Forbidden):
        merge_parties(make_party(), make_party(), by=viewer)


def test_a_party_the_user_cannot_see_cannot_be_merged(sales_a: User, sales_b: User) -> None:
    mine = make_party(owner=sales_b, team=sales_b.team)
    theirs = make_party(owner=sales_a, team=sales_a.team)
    with pytest.raises(NotFound):
        merge_parties(mine, theirs, by=sales_b)
    theirs.refresh_from_db()
    assert theirs.archived_at is None


def test_a_second_address_both_parties_have_is_not_doubled(manager: User) -> None:
    survivor = make_party(email="maria@example.com")
    other = make_party(email="maria.silva@example.com")
    for party, primary in ((survivor, False), (other, False)):
        ContactPoint.objects.create(
            party=party,
            kind=ContactKind.EMAIL,
            value="shared@example.com",
            normalized="shared@example.com",
            is_primary=primary,
        )
    record = merge_parties(survivor, other, by=manager)
    values = sorted(survivor.contact_points.values_list("normalized", flat=True))
    assert values == ["maria.silva@example.com", "maria@example.com", "shared@example.com"]
    assert not ContactPoint.objects.filter(party=other).exists()
    kept = record.snapshot["related"]["parties.contactpoint.party"]
    assert "shared@example.com" in {c["fields"]["value"] for c in kept}
