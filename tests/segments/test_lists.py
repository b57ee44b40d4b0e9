"""The party list: sorting by each column both ways with stable ties, chosen columns, filters
kept in the URL, and only visible parties."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from clientela.accounts.models import User
from clientela.analytics.models import LifecycleState
from clientela.parties.models import CustomField, CustomFieldType, Party
from clientela.segments.models import Segment, SegmentKind, StaticMember
from clientela.segments.services.listing import (
    ListQuery,
    list_parties,
    parse_list_query,
)
from tests import factories
from tests.segments.helpers import metrics

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]


@pytest.fixture
def three() -> list[Party]:
    """Three customers with distinct values in every sortable column, and one with none."""
    now = timezone.now()
    rows = []
    for n, (name, clv, alive, state, tier) in enumerate(
        [
            ("Bruno", 300, 0.2, LifecycleState.ACTIVE, "gold"),
            ("Ana", 100, 0.9, LifecycleState.AT_RISK, "bronze"),
            ("Carla", 200, 0.5, LifecycleState.NEW, "silver"),
        ]
    ):
        party = factories.make_party(given_name=name, family_name="Silva")
        Party.objects.filter(pk=party.pk).update(created_at=now - timedelta(days=10 - n))
        metrics(
            party,
            clv=Decimal(clv),
            p_alive=alive,
            lifecycle_state=state,
            tier=tier,
            last_purchase_at=(now - timedelta(days=clv)).date(),
        )
        factories.make_interaction(party, occurred_at=now - timedelta(days=clv // 10))
        rows.append(party)
    rows.append(factories.make_party(given_name="Zé", family_name="Nobody"))
    return rows


def _names(user: User, sort: str) -> list[str]:
    query = ListQuery(sort=sort)
    return [p.given_name for p in list_parties(user, query)]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Ana", "Bruno", "Carla", "Zé"]),
        ("created", ["Bruno", "Ana", "Carla", "Zé"]),
        ("last_interaction", ["Bruno", "Carla", "Ana", "Zé"]),
        ("clv", ["Ana", "Carla", "Bruno", "Zé"]),
        ("p_alive", ["Bruno", "Carla", "Ana", "Zé"]),
        ("lifecycle", ["Bruno", "Ana", "Carla", "Zé"]),  # active, at_risk, new
        ("tier", ["Ana", "Bruno", "Carla", "Zé"]),  # bronze, gold, silver
        ("last_order", ["Bruno", "Carla", "Ana", "Zé"]),
    ],
)
def test_each_column_sorts_both_ways_with_empty_values_last(
    admin: User, three: list[Party], sort: str, expected: list[str]
) -> None:
    assert _names(admin, sort) == expected
    descending = [n for n in reversed(expected) if n != "Zé"] + ["Zé"]
    if sort in ("name", "created"):  # every party has these: nothing is empty
        descending = list(reversed(expected))
    assert _names(admin, f"-{sort}") == descending


def test_ties_are_broken_by_id_in_both_directions(admin: User) -> None:
    made = [factories.make_party(given_name="Same", family_name="Name") for _ in range(4)]
    for party in made:
        metrics(party, clv=Decimal(50))
    ids = [p.pk for p in made]

    for sort in ("clv", "-clv", "name", "-name"):
        shown = [p.pk for p in list_parties(admin, ListQuery(sort=sort))]
        assert shown == sorted(ids), sort


def test_a_sales_rep_sees_only_their_parties_whatever_the_sort(
    sales_a: User, three: list[Party]
) -> None:
    mine = factories.make_party(given_name="Mine", owner=sales_a)
    metrics(mine, clv=Decimal(1))

    assert [p.pk for p in list_parties(sales_a, ListQuery(sort="-clv"))] == [mine.pk]


def test_unknown_columns_sorts_and_filters_are_named_and_left_at_their_default() -> None:
    query, errors = parse_list_query(
        {"cols": "name,password", "sort": "search_text", "kind": "robot", "owner": "x1"}
    )

    assert {(e.field, e.code) for e in errors} == {
        ("cols", "column_unknown"),
        ("sort", "sort_unknown"),
        ("kind", "filter_invalid"),
        ("owner", "int_parsing"),
    }
    assert query.columns == ["name"]
    assert query.sort == "name"
    assert query.filters == {}


def test_the_page_sorts_by_a_heading_and_keeps_it_in_the_links(
    admin: User, three: list[Party], web_client: WebClient
) -> None:
    response = web_client(admin).get("/parties/", {"sort": "-clv", "cols": "name,clv,tier"})
    html = response.content.decode()

    assert response.status_code == 200
    assert html.index("Bruno") < html.index("Carla") < html.index("Ana Silva")
    assert 'aria-sort="descending"' in html
    assert "sort=clv" in html  # the heading's next click: ascending
    assert 'data-column="tier"' in html
    assert 'data-column="email"' not in html  # not chosen


def test_custom_fields_and_analytics_are_columns_to_choose(
    admin: User, web_client: WebClient
) -> None:
    CustomField.objects.create(key="shoe_size", label="Shoe size", type=CustomFieldType.NUMBER)
    party = factories.make_party(given_name="Dora", custom={"shoe_size": 38})
    metrics(party, clv=Decimal("1234.5"), p_alive=0.75, tier="gold")

    client = web_client(admin)
    html = client.get("/parties/", {"cols": "custom.shoe_size,clv,p_alive,tier"}).content.decode()

    assert "Shoe size" in html
    assert ">38<" in html.replace("\n", "").replace(" ", "")
    assert "1,234.50" in html
    assert "75 %" in html
    assert "gold" in html


def test_filters_in_the_url_give_the_same_list_back(admin: User, web_client: WebClient) -> None:
    at_risk = factories.make_party(given_name="Risky", family_name="One")
    metrics(at_risk, lifecycle_state=LifecycleState.AT_RISK, tier="gold")
    calm = factories.make_party(given_name="Calm", family_name="Two")
    metrics(calm, lifecycle_state=LifecycleState.ACTIVE, tier="gold")

    html = web_client(admin).get("/parties/", {"lifecycle": "at_risk", "tier": "gold"}).content
    text = html.decode()

    assert "Risky One" in text
    assert "Calm Two" not in text
    assert "lifecycle=at_risk" in text  # the headings and the pager keep the filter


def test_the_list_runs_a_bounded_number_of_queries_with_every_column(
    admin: User, web_client: WebClient, django_assert_max_num_queries: object
) -> None:
    for n in range(30):
        party = factories.make_party(email=f"p{n}@example.com")
        metrics(party, clv=Decimal(n))
        factories.make_interaction(party)
    cols = "name,kind,roles,email,phone,owner,team,tags,created,last_interaction,clv,p_alive,"
    cols += "lifecycle,tier,last_order"
    client = web_client(admin)

    with django_assert_max_num_queries(15):  # type: ignore[operator]  # pytest-django's fixture
        response = client.get("/parties/", {"cols": cols, "sort": "-last_interaction"})

    assert response.content.decode().count('class="row-link"') == 30


def test_a_segment_filter_keeps_to_its_members_and_a_broken_one_is_named(
    admin: User, web_client: WebClient
) -> None:
    member = factories.make_party(given_name="Listed", family_name="Member")
    factories.make_party(given_name="Not", family_name="Listed")
    static = Segment.objects.create(name="Fair", kind=SegmentKind.STATIC)
    StaticMember.objects.create(segment=static, party=member)
    broken = Segment.objects.create(
        name="Broken", rules={"all": [{"field": "custom.gone", "op": "eq", "value": "x"}]}
    )
    client = web_client(admin)

    listed = client.get("/parties/", {"segment": static.pk}).content.decode()
    named = client.get("/parties/", {"segment": broken.pk})

    assert "Listed Member" in listed
    assert "Not Listed" not in listed
    assert named.status_code == 200
    assert "Not Listed" in named.content.decode()
    assert 'class="field-error"' in named.content.decode()
