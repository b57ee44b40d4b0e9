"""Hot reads compiled to SQL once per process (core.prepared), and the API reads built on it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db.models import QuerySet

from clientela.accounts.models import Role, User
from clientela.core import prepared
from clientela.interactions.models import Interaction
from clientela.parties.models import Affiliation, KeyDate, Party, PartyKind, Tag
from clientela.parties.presenters import party_out
from clientela.parties.queries import party_record, visible_party_details
from clientela.parties.schemas import PartyOut
from tests.factories import api_client, aware, make_interaction, make_party, make_user


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
