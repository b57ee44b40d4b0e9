"""The admin shows segments with their static lists; rules stay the rule builder's to write."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.segments.models import Segment, SegmentKind, StaticMember
from tests.factories import make_party
from tests.segments.helpers import cond

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]


@pytest.fixture
def static_list(admin: User) -> Segment:
    segment = Segment.objects.create(name="Press", kind=SegmentKind.STATIC, owner=admin)
    StaticMember.objects.create(segment=segment, party=make_party(given_name="Ana"))
    return segment


def test_segments_and_static_members_are_listed_for_an_admin(
    admin: User, web_client: WebClient, static_list: Segment
) -> None:
    Segment.objects.create(name="At risk", rules=cond("lifecycle_state", "eq", "at_risk"))
    client = web_client(admin)
    listing = client.get("/admin/segments/segment/")
    assert listing.status_code == 200
    assert "Press" in listing.content.decode()
    assert "At risk" in listing.content.decode()
    assert client.get("/admin/segments/staticmember/").status_code == 200


def test_a_static_list_shows_its_members_and_keeps_its_rules_read_only(
    admin: User, web_client: WebClient, static_list: Segment
) -> None:
    page = web_client(admin).get(f"/admin/segments/segment/{static_list.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Ana" in html
    assert 'name="rules"' not in html
    assert web_client(admin).get("/admin/segments/segment/add/").status_code == 403


def test_a_member_put_on_a_list_in_the_admin_records_who_did_it(
    admin: User, web_client: WebClient, static_list: Segment
) -> None:
    party = make_party(given_name="Bea")
    prefix = "static_members"
    response = web_client(admin).post(
        f"/admin/segments/segment/{static_list.pk}/change/",
        {
            "name": "Press",
            "description": "",
            "owner": admin.pk,
            "team": "",
            f"{prefix}-TOTAL_FORMS": "2",
            f"{prefix}-INITIAL_FORMS": "1",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
            f"{prefix}-0-id": str(StaticMember.objects.get().pk),
            f"{prefix}-0-segment": str(static_list.pk),
            f"{prefix}-0-party": str(StaticMember.objects.get().party_id),
            f"{prefix}-1-segment": str(static_list.pk),
            f"{prefix}-1-party": str(party.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    added = StaticMember.objects.get(party=party)
    assert added.added_by == admin
