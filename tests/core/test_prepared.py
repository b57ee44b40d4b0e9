"""Hot reads compiled to SQL once per process (core.prepared), and the API reads built on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from clientela.accounts.models import Role, User
from clientela.analytics.models import CustomerMetrics
from clientela.commerce.models import Order
from clientela.core import prepared
from clientela.interactions.models import Interaction
from clientela.parties.models import Affiliation, KeyDate, Party, PartyKind, Tag
from clientela.parties.presenters import party_out
from clientela.parties.queries import party_record, visible_party_details
from clientela.parties.schemas import PartyOut
from tests.factories import (
    api_client,
    aware,
    make_interaction,
    make_order,
    make_party,
    make_user,
)


def _newest(party_id: int, since: Any) -> QuerySet[Any]:
    return (
        Interaction.objects.filter(party_id=party_id, occurred_at__gte=since)
        .order_by("-occurred_at", "-id")
        .values_list("id", "occurred_at")
    )


@pytest.mark.django_db
def test_a_prepared_query_reruns_with_new_values_and_converts_columns() -> None:
    first, second = make_party(), make_party()
    old = make_interaction(first, occurred_at=aware(2024, 1, 1))
    new = make_interaction(first, occurred_at=aware(2024, 6, 1))
    other = make_interaction(second, occurred_at=aware(2024, 3, 1))
    key = ("test", "newest")

    found = prepared.rows(key, _newest, {"party_id": first.pk, "since": aware(2023, 1, 1)})
    again = prepared.rows(key, _newest, {"party_id": second.pk, "since": aware(2023, 1, 1)})
    later = prepared.rows(key, _newest, {"party_id": first.pk, "since": aware(2024, 3, 1)})

    assert found == [(new.pk, aware(2024, 6, 1)), (old.pk, aware(2024, 1, 1))]
    assert again == [(other.pk, aware(2024, 3, 1))]
    assert later == [(new.pk, aware(2024, 6, 1))]


def _bought_since(since: date) -> QuerySet[Any]:
    return (
        CustomerMetrics.objects.filter(first_purchase_at__gte=since)
        .order_by("first_purchase_at")
        .values_list("party_id", "first_purchase_at")
    )


@pytest.mark.django_db
def test_a_prepared_query_binds_dates() -> None:
    early, late = make_party(), make_party()
    for party, bought in ((early, date(2024, 1, 31)), (late, date(2024, 6, 1))):
        CustomerMetrics.objects.create(
            party=party,
            as_of=bought,
            computed_at=aware(2024, 7, 1),
            first_purchase_at=bought,
            state_since=bought,
        )
    key = ("test", "bought since")

    found = prepared.rows(key, _bought_since, {"since": date(2024, 1, 31)})
    later = prepared.rows(key, _bought_since, {"since": date(2024, 2, 1)})

    assert found == [(early.pk, date(2024, 1, 31)), (late.pk, date(2024, 6, 1))]
    assert later == [(late.pk, date(2024, 6, 1))]


@pytest.mark.django_db
def test_a_value_written_into_the_sql_text_instead_of_bound_is_refused() -> None:
    def sliced(limit: int) -> QuerySet[Any]:
        return Interaction.objects.values_list("id")[:limit]

    with pytest.raises(ValueError, match="limit"):
        prepared.rows(("test", "sliced"), sliced, {"limit": 5})


@pytest.mark.django_db
def test_a_query_that_can_match_nothing_returns_no_rows() -> None:
    make_party()
    rows = prepared.rows(("test", "none"), lambda: Party.objects.none().values_list("id"), {})
    assert rows == []


@pytest.mark.django_db
def test_the_api_party_record_is_party_out_of_the_full_record() -> None:
    manager = make_user(role=Role.MANAGER)
    owner = make_user(role=Role.SALES, team="North", full_name="")
    org = make_party(kind=PartyKind.ORGANIZATION)
    party = make_party(
        email="maria@example.com",
        phone="+351 912 345 678",
        roles=("customer", "partner"),
        owner=owner,
        team=owner.team,
        parent=org,
        custom={"size": 3},
        notes="Prefers mornings",
    )
    party.tags.add(Tag.objects.create(name="vip"), Tag.objects.create(name="b2b"))
    KeyDate.objects.create(party=party, kind="birthday", year=1980, month=5, day=4)
    Affiliation.objects.create(person=party, organization=org, title="CTO", since=date(2020, 1, 1))

    record = party_record(manager, party.pk)

    expected = PartyOut.model_validate(party_out(visible_party_details(manager, party.pk)))
    assert PartyOut.model_validate(record) == expected
    assert record["owner"] == {"id": owner.pk, "name": owner.email}
    assert expected.tags == ["b2b", "vip"]
    assert len(expected.contact_points) == 2
    assert len(expected.affiliations) == 1


@pytest.mark.django_db
def test_a_sales_user_reads_their_teams_party_but_not_another_teams(sales_a: User) -> None:
    mine = make_party(owner=None, team=sales_a.team)
    theirs = make_party(team=make_user(team="Elsewhere").team)
    client = api_client(sales_a)

    assert client.get(f"/api/v1/parties/{mine.pk}").status_code == 200
    assert client.get(f"/api/v1/parties/{mine.pk}/timeline").status_code == 200
    assert client.get(f"/api/v1/parties/{theirs.pk}").status_code == 404
    assert client.get(f"/api/v1/parties/{theirs.pk}/timeline").status_code == 404


@pytest.mark.django_db
def test_an_id_beyond_any_stored_row_gets_404(manager: User) -> None:
    client = api_client(manager)
    huge = 2**70
    assert client.get(f"/api/v1/parties/{huge}").status_code == 404
    assert client.get(f"/api/v1/parties/{huge}/timeline").status_code == 404


@pytest.mark.django_db
def test_prepared_rows_are_the_rows_the_orm_gives_for_every_kind_of_column() -> None:
    """Guards the Django internals prepared reads use to convert columns (see its docstring)."""
    owner = make_user(role=Role.SALES, team="North")
    org = make_party(kind=PartyKind.ORGANIZATION)
    party = make_party(owner=owner, team=owner.team, parent=org, custom={"size": 3, "vip": True})
    KeyDate.objects.create(party=party, kind="birthday", year=None, month=5, day=4)
    Affiliation.objects.create(person=party, organization=org, since=date(2020, 1, 1))
    make_order(party, total=Decimal("12.30"), ordered_at=aware(2024, 5, 1))

    reads: dict[str, Callable[..., QuerySet[Any]]] = {
        "party": lambda pk: Party.objects.filter(pk=pk).values_list(
            "created_at", "custom", "external_id", "owner__full_name", "team_id", "parent_id"
        ),
        "dates": lambda pk: KeyDate.objects.filter(party_id=pk).values_list("year", "month"),
        "affiliations": lambda pk: Affiliation.objects.filter(person_id=pk).values_list(
            "since", "until", "organization__display_name"
        ),
        "points": lambda pk: Party.objects.filter(pk=pk).values_list(
            "contact_points__is_primary", "archived_at"
        ),
        "orders": lambda pk: Order.objects.filter(party_id=pk).values_list("total", "ordered_at"),
    }
    for name, read in reads.items():
        assert prepared.rows(("test", "kinds", name), read, {"pk": party.pk}) == list(
            read(party.pk)
        ), name


@pytest.mark.django_db
def test_a_value_the_sql_changes_before_binding_is_refused() -> None:
    def named(text: str) -> QuerySet[Any]:
        return Party.objects.filter(display_name__icontains=text).values_list("id")

    with pytest.raises(prepared.NotPrepared, match="text"):
        prepared.rows(("test", "icontains"), named, {"text": "maria"})
    with pytest.raises(prepared.NotPrepared):  # refused again, from the cache
        prepared.rows(("test", "icontains"), named, {"text": "maria"})


def test_a_filter_splits_into_its_shape_and_its_values() -> None:
    first = prepared.split(Q(owner_id=5) | Q(team_id=7, archived_at=None), prefix="a_")
    second = prepared.split(Q(owner_id=6) | Q(team_id=8, archived_at=None), prefix="a_")

    assert first is not None
    assert second is not None
    assert first.shape == second.shape
    assert first.values == {"a_0": 5, "a_1": 7}  # None is part of the shape (IS NULL)
    assert second.rebuild(second.values) == Q(owner_id=6) | Q(team_id=8, archived_at=None)


def test_what_changes_the_sql_changes_the_shape() -> None:
    def shape(q: Q) -> Any:
        found = prepared.split(q, prefix="a_")
        assert found is not None
        return found.shape

    base = shape(Q(owner_id=5))
    assert shape(Q(team_id=5)) != base  # another lookup
    assert shape(~Q(owner_id=5)) != base  # negated
    assert shape(Q(owner_id=None)) != base  # IS NULL
    assert shape(Q(owner_id="5")) != base  # another type of value
    assert shape(Q(owner_id=5) & Q(language="pt")) != base  # another condition
    assert shape(Q(pk__in=[1, 2])) != shape(Q(pk__in=[1, 2, 3]))  # another number of values


def test_a_filter_with_an_expression_or_an_object_cannot_be_split() -> None:
    assert (
        prepared.split(Q(Exists(Party.objects.filter(pk=OuterRef("parent_id")))), prefix="a")
        is None
    )
    assert prepared.split(Q(owner_id=F("created_by_id")), prefix="a") is None
    assert prepared.split(Q(pk__in=list(range(prepared.MAX_LIST + 1))), prefix="a") is None
