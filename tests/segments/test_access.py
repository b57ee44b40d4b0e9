"""Segments are shared company-wide; their members are only the parties each user may see."""

from __future__ import annotations

import pytest

from clientela.accounts.models import Team, User
from clientela.core.errors import Forbidden, NotFound
from clientela.parties.models import Party
from clientela.segments import queries, services
from clientela.segments.models import Segment, SegmentKind, StaticMember
from clientela.segments.schemas import SegmentCreate, SegmentUpdate
from tests.factories import make_party
from tests.segments.helpers import cond, metrics

pytestmark = pytest.mark.django_db


def _rules_segment(owner: User) -> Segment:
    data = SegmentCreate(name="At risk", rules=cond("lifecycle_state", "eq", "at_risk"))
    return services.create_segment(data, by=owner)


def _at_risk_parties(sales_a: User, sales_b: User) -> dict[str, Party]:
    team_a = Team.objects.get(name="Team A")
    parties = {
        "own": make_party(given_name="Own", owner=sales_a),
        "team": make_party(given_name="Team", team=team_a),
        "other": make_party(given_name="Other", owner=sales_b, team=sales_b.team),
        "nobody": make_party(given_name="Nobody"),
    }
    for party in parties.values():
        metrics(party, lifecycle_state="at_risk")
    return parties


def test_a_sales_users_members_are_only_parties_they_may_see(
    sales_a: User, sales_b: User, manager: User
) -> None:
    _at_risk_parties(sales_a, sales_b)
    segment = _rules_segment(manager)
    mine = set(queries.members(segment, sales_a).values_list("given_name", flat=True))
    assert mine == {"Own", "Team"}
    theirs = set(queries.members(segment, sales_b).values_list("given_name", flat=True))
    assert theirs == {"Other"}
    assert queries.members(segment, manager).count() == 4


def test_counts_and_previews_are_per_user(sales_a: User, sales_b: User, manager: User) -> None:
    _at_risk_parties(sales_a, sales_b)
    segment = _rules_segment(manager)
    assert queries.member_counts([segment], sales_a) == {segment.pk: 2}
    assert queries.member_counts([segment], manager) == {segment.pk: 4}
    count, first = queries.preview(cond("lifecycle_state", "eq", "at_risk"), sales_b)
    assert count == 1
    assert [p.given_name for p in first] == ["Other"]


def test_archived_parties_are_never_members(manager: User) -> None:
    party = make_party(given_name="Gone")
    metrics(party, lifecycle_state="at_risk")
    from django.utils import timezone

    party.archived_at = timezone.now()
    party.save()
    assert queries.members(_rules_segment(manager), manager).count() == 0


def test_a_static_list_shows_each_user_only_members_they_may_see(
    sales_a: User, sales_b: User, manager: User
) -> None:
    parties = _at_risk_parties(sales_a, sales_b)
    segment = services.create_segment(
        SegmentCreate(name="Gala", kind=SegmentKind.STATIC), by=manager
    )
    for party in parties.values():
        services.add_static_member(segment, party.pk, by=manager)
    assert queries.members(segment, manager).count() == 4
    mine = set(queries.members(segment, sales_a).values_list("given_name", flat=True))
    assert mine == {"Own", "Team"}


def test_a_party_the_user_may_not_see_cannot_be_put_on_a_list(sales_a: User, sales_b: User) -> None:
    segment = services.create_segment(
        SegmentCreate(name="Mine", kind=SegmentKind.STATIC), by=sales_a
    )
    hidden = make_party(given_name="Hidden", owner=sales_b, team=sales_b.team)
    with pytest.raises(NotFound):
        services.add_static_member(segment, hidden.pk, by=sales_a)
    assert not StaticMember.objects.exists()


def test_viewers_cannot_create_segments(viewer: User) -> None:
    with pytest.raises(Forbidden):
        services.create_segment(SegmentCreate(name="Nope"), by=viewer)
    assert not Segment.objects.exists()


def test_only_the_owner_or_a_curator_changes_a_segment(
    sales_a: User, sales_b: User, admin: User
) -> None:
    segment = _rules_segment(sales_a)
    with pytest.raises(Forbidden):
        services.update_segment(segment, SegmentUpdate(name="Taken"), by=sales_b)
    with pytest.raises(Forbidden):
        services.delete_segment(segment, by=sales_b)
    segment.refresh_from_db()
    assert segment.name == "At risk"
    services.update_segment(segment, SegmentUpdate(name="Renamed"), by=admin)
    assert Segment.objects.get().name == "Renamed"
