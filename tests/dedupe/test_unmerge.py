"""Merges that keep everything once, and unmerges that give both parties back as they were."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from clientela.accounts.models import AuditEntry, User
from clientela.analytics.models import CustomerMetrics
from clientela.analytics.services.freshness import update_metrics
from clientela.commerce.models import Order
from clientela.consent.models import ConsentRecord, Preferences
from clientela.consent.services import current_consents, store_wording
from clientela.core.errors import Conflict, Forbidden, NotFound
from clientela.dedupe.models import CandidateStatus, DuplicateCandidate, MergeRecord
from clientela.dedupe.services import merge_parties, merged_into, unmerge
from clientela.interactions.models import Interaction
from clientela.interactions.services import timeline
from clientela.parties.models import (
    Affiliation,
    KeyDate,
    Party,
    PartyAlias,
    PartyRole,
    Tag,
)
from clientela.parties.schemas import PartyUpdate
from clientela.parties.services import update_party
from clientela.parties.services.unmerging import field_state
from clientela.segments.models import Segment, StaticMember
from tests.dedupe.helpers import organization
from tests.factories import make_activity, make_interaction, make_order, make_party

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


@dataclass
class Pair:
    survivor: Party
    other: Party
    acme: Party
    vip_list: Segment
    both_list: Segment


def _consent(party: Party, status: str, at: Any, *, purpose: str = "newsletter") -> None:
    ConsentRecord.objects.create(
        party=party,
        purpose=purpose,
        channel="email",
        status=status,
        legal_basis="consent",
        source="web_form",
        wording=store_wording(f"{status} to the {purpose}"),
        recorded_at=at,
        ip_address="192.0.2.7",
    )


def _rich_pair(manager: User) -> Pair:
    """Two records of one person, each with a bit of everything, some of it in both."""
    now = timezone.now()
    acme = organization("Acme")
    survivor = make_party(
        given_name="Maria",
        family_name="Silva",
        email="maria@example.com",
        external_id="CRM-1",
        custom={"vip": True, "shoe": "38"},
        roles=("customer",),
    )
    other = make_party(
        given_name="Maria",
        family_name="Silva Santos",
        email="MARIA@example.com",
        phone="+351912345678",
        external_id="SHOP-9",
        custom={"shoe": "39", "newsletter_since": "2020"},
        language="pt",
        notes="Prefers mornings",
        roles=("customer", "partner"),
    )
    PartyRole.objects.filter(party=survivor).update(since=date(2022, 1, 1))
    PartyRole.objects.filter(party=other, role="customer").update(since=date(2019, 6, 1))
    Affiliation.objects.create(person=survivor, organization=acme)
    Affiliation.objects.create(person=other, organization=acme, title="Head of purchasing")
    KeyDate.objects.create(party=survivor, kind="birthday", month=5, day=17)
    KeyDate.objects.create(party=other, kind="birthday", month=5, day=17, year=1980)
    KeyDate.objects.create(party=other, kind="wedding_anniversary", month=9, day=2)
    vip, fair = Tag.objects.create(name="vip"), Tag.objects.create(name="fair")
    survivor.tags.add(vip)
    other.tags.add(vip, fair)
    _consent(survivor, "granted", now - timedelta(days=400))
    _consent(other, "withdrawn", now - timedelta(days=3))
    _consent(other, "granted", now - timedelta(days=30), purpose="offers")
    Preferences.objects.create(party=other, preferred_channel="sms")
    for days, party in ((10, survivor), (20, other)):
        make_order(party, external_id=f"ORD-{party.pk}", ordered_at=now - timedelta(days=days))
        make_interaction(party, subject=f"Call of {party.pk}")
    make_activity(other, assignee=manager, title="Send the catalogue")
    vip_list = Segment.objects.create(name="VIPs", kind="static")
    both_list = Segment.objects.create(name="Fair visitors", kind="static")
    StaticMember.objects.create(segment=vip_list, party=other)
    StaticMember.objects.create(segment=both_list, party=other)
    StaticMember.objects.create(segment=both_list, party=survivor)
    update_metrics([survivor.pk, other.pk], as_of=timezone.now().date())
    return Pair(survivor, other, acme, vip_list, both_list)


def _state(party: Party) -> dict[str, Any]:
    """Everything the tests compare before the merge and after the unmerge."""
    party.refresh_from_db()
    return {
        "fields": field_state(party),
        "archived": party.archived_at is not None,
        "display_name": party.display_name,
        "contact_points": sorted(
            party.contact_points.values_list("pk", "kind", "value", "is_primary")
        ),
        "roles": sorted(party.roles.values_list("pk", "role", "since", "until")),
        "affiliations": sorted(
            party.affiliations.values_list("pk", "organization_id", "title", "since")
        ),
        "key_dates": sorted(party.key_dates.values_list("pk", "kind", "year", "month", "day")),
        "tags": sorted(party.tags.values_list("name", flat=True)),
        "aliases": sorted(party.aliases.values_list("external_id", flat=True)),
        "consents": sorted(ConsentRecord.objects.filter(party=party).values_list("pk", "status")),
        "preferences": list(Preferences.objects.filter(party=party).values_list("pk", flat=True)),
        "orders": sorted(Order.objects.filter(party=party).values_list("pk", flat=True)),
        "interactions": sorted(
            Interaction.objects.filter(party=party).values_list("pk", flat=True)
        ),
        "activities": sorted(party.activities.values_list("pk", flat=True)),
        "lists": sorted(StaticMember.objects.filter(party=party).values_list("pk", flat=True)),
    }


def _merge(pair: Pair, manager: User, capture: Capture, **choices: str) -> MergeRecord:
    with capture(execute=True), transaction.atomic():
        return merge_parties(pair.survivor, pair.other, choices=choices, by=manager)


def test_a_merge_of_two_rich_duplicates_keeps_everything_once(
    manager: User, django_capture_on_commit_callbacks: Capture
) -> None:
    pair = _rich_pair(manager)
    survivor, other = pair.survivor, pair.other
    _merge(pair, manager, django_capture_on_commit_callbacks, family_name="other")
    survivor.refresh_from_db()
    # Fields: the chosen family name, the survivor's shoe size, the gaps filled.
    assert survivor.display_name == "Maria Silva Santos"
    assert survivor.custom == {"vip": True, "shoe": "38", "newsletter_since": "2020"}
    assert (survivor.language, survivor.notes) == ("pt", "Prefers mornings")
    # Roles: one "customer" row, since the earlier of the two dates; the partner role moved.
    roles = list(survivor.roles.values_list("role", "since"))
    assert sorted(roles) == [("customer", date(2019, 6, 1)), ("partner", None)]
    # Affiliations: one with Acme, with the other record's job title.
    assert list(survivor.affiliations.values_list("organization_id", "title")) == [
        (pair.acme.pk, "Head of purchasing")
    ]
    # Contact points: the same e-mail once, the phone moved.
    assert sorted(survivor.contact_points.values_list("normalized", flat=True)) == [
        "+351912345678",
        "maria@example.com",
    ]
    # Key dates: one birthday, with the year the other knew; the anniversary moved.
    assert sorted(survivor.key_dates.values_list("kind", "year", "month", "day")) == [
        ("birthday", 1980, 5, 17),
        ("wedding_anniversary", None, 9, 2),
    ]
    assert sorted(survivor.tags.values_list("name", flat=True)) == ["fair", "vip"]
    # Consents: every record kept as proof; the newest per purpose and channel is in force.
    assert ConsentRecord.objects.filter(party=survivor).count() == 3
    assert ConsentRecord.objects.get(party=survivor, status="withdrawn").ip_address == "192.0.2.7"
    state = {key: r.status for key, r in current_consents(survivor).items()}
    assert state == {("newsletter", "email"): "withdrawn", ("offers", "email"): "granted"}
    assert Preferences.objects.get().party_id == survivor.pk
    # Orders, interactions, activities: all on the survivor.
    assert Order.objects.filter(party=survivor).count() == 2
    assert Interaction.objects.filter(party=survivor).count() == 2
    assert survivor.activities.count() == 1
    # Metrics recomputed from both purchase histories once the merge committed.
    assert CustomerMetrics.objects.get(party=survivor).occasions == 2
    # Static lists: on each list once.
    assert sorted(
        StaticMember.objects.filter(party=survivor).values_list("segment", flat=True)
    ) == (sorted([pair.vip_list.pk, pair.both_list.pk]))
    assert not StaticMember.objects.filter(party=other).exists()
    # Aliases: the other record's external id names the survivor.
    assert list(survivor.aliases.values_list("external_id", flat=True)) == ["SHOP-9"]
    assert survivor.external_id == "CRM-1"


def test_an_unmerge_gives_both_parties_back_as_they_were(
    manager: User, django_capture_on_commit_callbacks: Capture
) -> None:
    pair = _rich_pair(manager)
    DuplicateCandidate.objects.create(
        party_a=pair.survivor, party_b=pair.other, score=95, reasons=[]
    )
    before = (_state(pair.survivor), _state(pair.other))
    record = _merge(pair, manager, django_capture_on_commit_callbacks, family_name="other")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        unmerge(record.pk, by=manager)
    assert (_state(pair.survivor), _state(pair.other)) == before
    assert CustomerMetrics.objects.get(party=pair.survivor).occasions == 1
    assert CustomerMetrics.objects.get(party=pair.other).occasions == 1
    assert DuplicateCandidate.objects.get().status == CandidateStatus.OPEN
    assert merged_into(pair.other.pk) is None  # its own page again
    record.refresh_from_db()
    assert (record.unmerged_by, record.unmerged_at is not None) == (manager, True)
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "target_id"))
    assert actions == [
        ("parties.merged", str(pair.survivor.pk)),
        ("parties.unmerged", str(pair.survivor.pk)),
    ]
    kinds = [entry.kind for entry in timeline(pair.survivor)[0]]
    assert {"merge", "unmerge"} <= set(kinds)


def test_later_edits_to_the_survivor_are_kept_where_the_merge_did_not_touch_them(
    manager: User, django_capture_on_commit_callbacks: Capture
) -> None:
    pair = _rich_pair(manager)
    record = _merge(pair, manager, django_capture_on_commit_callbacks)
    pair.survivor.refresh_from_db()
    with transaction.atomic():
        update_party(pair.survivor, PartyUpdate(given_name="Mary"), by=manager)
    later = make_interaction(pair.survivor, subject="After the merge")
    with transaction.atomic():
        unmerge(record.pk, by=manager)
    pair.survivor.refresh_from_db()
    assert pair.survivor.given_name == "Mary"  # the merge kept it; the edit stays
    assert pair.survivor.language == ""  # taken from the other in the merge: back to none
    assert Interaction.objects.get(pk=later.pk).party_id == pair.survivor.pk


def test_an_edit_of_a_field_the_merge_changed_refuses_the_unmerge_by_name(
    manager: User, django_capture_on_commit_callbacks: Capture
) -> None:
    pair = _rich_pair(manager)
    record = _merge(pair, manager, django_capture_on_commit_callbacks, family_name="other")
    pair.survivor.refresh_from_db()
    with transaction.atomic():
        update_party(pair.survivor, PartyUpdate(family_name="Santos"), by=manager)
    with pytest.raises(Conflict) as refused, transaction.atomic():
        unmerge(record.pk, by=manager)
    assert refused.value.code == "unmerge_conflict"
    assert refused.value.params == {"fields": "family_name"}
    assert Party.objects.get(pk=pair.other.pk).archived_at is not None  # nothing half-done


def test_after_30_days_a_merge_can_no_longer_be_undone(
    manager: User, django_capture_on_commit_callbacks: Capture
) -> None:
    pair = _rich_pair(manager)
    record = _merge(pair, manager, django_capture_on_commit_callbacks)
    MergeRecord.objects.filter(pk=record.pk).update(at=timezone.now() - timedelta(days=31))
    with pytest.raises(Conflict) as refused:
        unmerge(record.pk, by=manager)
    assert (refused.value.code, refused.value.params["days"]) == ("unmerge_expired", 30)


def test_a_merge_is_undone_once_and_only_by_who_may_merge(
    manager: User, viewer: User, django_capture_on_commit_callbacks: Capture
) -> None:
    pair = _rich_pair(manager)
    record = _merge(pair, manager, django_capture_on_commit_callbacks)
    with pytest.raises(Forbidden):
        unmerge(record.pk, by=viewer)
    with pytest.raises(NotFound):
        unmerge(record.pk + 1000, by=manager)
    unmerge(record.pk, by=manager)
    with pytest.raises(Conflict) as refused:
        unmerge(record.pk, by=manager)
    assert refused.value.code == "merge_already_undone"


def test_an_erased_merge_cannot_be_undone(
    manager: User, django_capture_on_commit_callbacks: Capture
) -> None:
    pair = _rich_pair(manager)
    record = _merge(pair, manager, django_capture_on_commit_callbacks)
    MergeRecord.objects.filter(pk=record.pk).update(snapshot={})
    with pytest.raises(Conflict) as refused:
        unmerge(record.pk, by=manager)
    assert refused.value.code == "unmerge_unavailable"


def test_merges_into_the_merged_party_go_back_with_it(manager: User) -> None:
    a = make_party(given_name="Ana", family_name="Lima")
    b = make_party(given_name="Ana", family_name="Lima", external_id="B-1")
    c = make_party(given_name="Ana", family_name="Lima")
    first = merge_parties(b, c, by=manager)
    second = merge_parties(a, b, by=manager)
    assert merged_into(c.pk) == a.pk
    unmerge(second.pk, by=manager)
    assert MergeRecord.objects.get(pk=first.pk).survivor_id == b.pk
    assert merged_into(c.pk) == b.pk
    assert Party.objects.get(pk=b.pk).external_id == "B-1"
    assert not PartyAlias.objects.exists()
