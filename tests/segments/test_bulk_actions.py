"""Bulk actions on the party list: each one transaction with one audit entry, a change-log line
per party changed, refused per role by the matrix, never touching a party the user cannot see."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import QuerySet
from django.test import Client

from clientela.accounts.models import AuditEntry, Role, Team, User
from clientela.core.errors import Forbidden
from clientela.parties.models import Party, PartyChange, Tag
from clientela.segments.models import Segment, SegmentKind, StaticMember
from clientela.segments.schemas import BulkIn
from clientela.segments.services import bulk_actions
from tests import factories
from tests.segments.helpers import metrics

pytestmark = pytest.mark.django_db
ApiClient = Callable[[User], Client]


def _bulk() -> QuerySet[AuditEntry]:
    """The bulk actions' entries (an API client's token writes one of its own)."""
    return AuditEntry.objects.filter(action__startswith="parties.bulk_")


def _run(user: User, **data: Any) -> bulk_actions.BulkResult:
    return bulk_actions.run_bulk_action(BulkIn.model_validate(data), by=user)


def _post(client: Client, **data: Any) -> Any:
    return client.post("/api/v1/parties/bulk", data, content_type="application/json")


def _csv_rows(response: Any) -> list[list[str]]:
    """The rows of a streamed CSV answer (typed as a plain response by the test client)."""
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


@pytest.fixture
def parties() -> list[Party]:
    return [factories.make_party(given_name=f"P{n}", family_name="Bulk") for n in range(5)]


def test_tagging_a_selection_is_one_audit_entry_and_a_change_line_per_party(
    manager: User, parties: list[Party]
) -> None:
    chosen = [p.pk for p in parties[:3]]
    parties[0].tags.add(Tag.objects.create(name="VIP"))

    result = _run(manager, action="tag", ids=chosen, tag="vip")

    assert (result.selected, result.changed) == (3, 2)
    assert set(Party.objects.filter(tags__name="VIP").values_list("pk", flat=True)) == set(chosen)
    assert Tag.objects.count() == 1  # matched whatever its case
    entry = _bulk().get()
    assert entry.action == "parties.bulk_tagged"
    assert entry.actor == manager
    assert entry.details["count"] == 3
    assert entry.details["ids"] == sorted(chosen)
    assert entry.details["tag"] == {"id": Tag.objects.get().pk, "name": "VIP"}
    lines = PartyChange.objects.filter(action="updated")
    assert {c.party_id for c in lines} == set(chosen[1:])
    assert lines.first().changes == {"tags": [[], ["VIP"]]}  # type: ignore[union-attr]


def test_untagging_takes_the_tag_off_and_is_audited(manager: User, parties: list[Party]) -> None:
    tag = Tag.objects.create(name="trade-fair")
    for party in parties:
        party.tags.add(tag)

    result = _run(manager, action="untag", filter={}, tag="trade-fair")

    assert result.changed == 5
    assert not Party.tags.through.objects.exists()
    entry = AuditEntry.objects.get(action="parties.bulk_untagged")
    assert entry.details["filter"] == {}
    assert PartyChange.objects.filter(changes__tags=[["trade-fair"], []]).count() == 5


def test_assigning_sets_owner_and_team_on_the_whole_filtered_set(
    manager: User, sales_a: User, parties: list[Party]
) -> None:
    team = Team.objects.get(name="Team A")
    other = factories.make_party(given_name="Elsewhere", family_name="Org")

    result = _run(
        manager, action="assign", filter={"q": "bulk"}, owner_id=sales_a.pk, team_id=team.pk
    )

    assert result.changed == 5
    assert set(Party.objects.filter(team=team).values_list("pk", flat=True)) == {
        p.pk for p in parties
    }
    other.refresh_from_db()
    assert other.team_id is None
    entry = AuditEntry.objects.get(action="parties.bulk_assigned")
    assert (entry.details["owner_id"], entry.details["team_id"]) == (sales_a.pk, team.pk)
    assert entry.details["filter"] == {"q": "bulk"}
    change = PartyChange.objects.filter(party=parties[0]).get()
    assert change.changes == {"owner_id": [None, sales_a.pk], "team_id": [None, team.pk]}


def test_putting_on_a_static_list_adds_each_party_once(manager: User, parties: list[Party]) -> None:
    segment = Segment.objects.create(name="Fair", kind=SegmentKind.STATIC, owner=manager)
    StaticMember.objects.create(segment=segment, party=parties[0])

    result = _run(manager, action="list", ids=[p.pk for p in parties], segment_id=segment.pk)

    assert (result.selected, result.changed) == (5, 4)
    assert StaticMember.objects.filter(segment=segment).count() == 5
    entry = AuditEntry.objects.get(action="parties.bulk_listed")
    assert (entry.target_kind, entry.target_id) == ("segment", str(segment.pk))


def test_exporting_a_selection_gives_csv_and_an_audit_entry(
    manager: User, parties: list[Party], api_client: ApiClient
) -> None:
    response = _post(api_client(manager), action="export", ids=[parties[1].pk, parties[2].pk])

    rows = _csv_rows(response)
    assert response.status_code == 200
    assert [r[3] for r in rows[1:]] == ["P1 Bulk", "P2 Bulk"]
    entry = AuditEntry.objects.get(action="parties.bulk_exported")
    assert entry.details["ids"] == [parties[1].pk, parties[2].pk]


@pytest.mark.parametrize(
    ("role", "action", "code"),
    [
        (Role.VIEWER, "tag", "role_read_only"),
        (Role.SALES, "assign", "assign_forbidden"),
        (Role.MARKETING, "assign", "assign_forbidden"),
        (Role.SUPPORT, "assign", "assign_forbidden"),
        (Role.SALES, "export", "export_forbidden"),
        (Role.SUPPORT, "export", "export_forbidden"),
        (Role.VIEWER, "export", "export_forbidden"),
        (Role.VIEWER, "list", "role_read_only"),
    ],
)
def test_refused_rights_answer_403_and_change_nothing(
    role: str, action: str, code: str, api_client: ApiClient
) -> None:
    user = factories.make_user(role=role)
    party = factories.make_party(owner=user)
    segment = Segment.objects.create(name="L", kind=SegmentKind.STATIC)
    team = Team.objects.create(name="T")

    response = _post(
        api_client(user),
        action=action,
        ids=[party.pk],
        tag="x",
        team_id=team.pk,
        segment_id=segment.pk,
    )

    assert response.status_code == 403
    assert response.json()["code"] == code
    assert not _bulk().exists()
    assert not PartyChange.objects.exists()
    assert not StaticMember.objects.exists()


def test_the_matrix_lets_each_role_do_what_it_may(api_client: ApiClient) -> None:
    for role, action in [
        (Role.SALES, "tag"),
        (Role.SUPPORT, "tag"),
        (Role.MARKETING, "export"),
        (Role.MANAGER, "assign"),
        (Role.ADMIN, "assign"),
    ]:
        user = factories.make_user(role=role)
        party = factories.make_party(owner=user)
        extra = {"tag": "ok"} if action == "tag" else {"owner_id": user.pk}
        response = _post(api_client(user), action=action, ids=[party.pk], **extra)
        assert response.status_code == 200, (role, response.content)


def test_parties_the_user_cannot_see_are_never_touched(
    sales_a: User, sales_b: User, api_client: ApiClient
) -> None:
    mine = factories.make_party(given_name="Mine", owner=sales_a)
    theirs = factories.make_party(given_name="Theirs", owner=sales_b)
    archived = factories.make_party(given_name="Gone", owner=sales_a)
    Party.objects.filter(pk=archived.pk).update(archived_at="2024-01-01T00:00:00Z")
    client = api_client(sales_a)

    by_ids = _post(client, action="tag", ids=[mine.pk, theirs.pk, archived.pk], tag="hot")
    by_filter = _post(client, action="tag", filter={}, tag="cold")

    assert by_ids.json()["selected"] == 1
    assert by_filter.json()["selected"] == 1
    assert list(theirs.tags.all()) == []
    assert list(archived.tags.all()) == []
    assert sorted(mine.tags.values_list("name", flat=True)) == ["cold", "hot"]
    assert not PartyChange.objects.filter(party__in=[theirs, archived]).exists()
    assert _bulk().get(details__tag__name="hot").details["ids"] == [mine.pk]


def test_a_refused_static_list_leaves_no_trace(sales_a: User, manager: User) -> None:
    segment = Segment.objects.create(name="Managers'", kind=SegmentKind.STATIC, owner=manager)
    party = factories.make_party(owner=sales_a)

    with pytest.raises(Forbidden):
        _run(sales_a, action="list", ids=[party.pk], segment_id=segment.pk)
    assert not _bulk().exists()


def test_a_bad_request_names_the_field(manager: User, api_client: ApiClient) -> None:
    client = api_client(manager)

    both = _post(client, action="tag", ids=[1], filter={}, tag="x")
    no_tag = _post(client, action="tag", ids=[1])
    bad_tag = _post(client, action="tag", ids=[1], tag="<script>")
    bad_filter = _post(client, action="tag", filter={"sort": "password"}, tag="x")

    assert both.json()["errors"][0]["code"] == "bulk_selection_invalid"
    assert no_tag.json()["errors"][0]["code"] == "bulk_tag_missing"
    assert bad_tag.json()["errors"][0]["code"] == "tag_invalid"
    assert bad_filter.json()["errors"][0]["code"] == "sort_unknown"
    assert not _bulk().exists()


def test_a_large_selection_keeps_its_filter_not_its_ids(
    manager: User, monkeypatch: pytest.MonkeyPatch, parties: list[Party]
) -> None:
    monkeypatch.setattr(bulk_actions, "AUDITED_IDS", 3)

    _run(manager, action="tag", filter={"q": "bulk"}, tag="many")

    details = _bulk().get().details
    assert details["count"] == 5
    assert "ids" not in details
    assert details["filter"] == {"q": "bulk"}


def test_the_page_assigns_the_ticked_parties_and_returns_to_the_list(
    manager: User, parties: list[Party], web_client: Callable[[User], Client]
) -> None:
    team = Team.objects.create(name="North")
    response = web_client(manager).post(
        "/parties/bulk/",
        {
            "action": "assign",
            "scope": "selected",
            "ids": [parties[0].pk, parties[1].pk],
            "team": team.pk,
            "owner": "",
            "list_query": "sort=-clv",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/parties/?sort=-clv"
    assert Party.objects.filter(team=team).count() == 2
    assert _bulk().get().details["team_id"] == team.pk
    assert "owner_id" not in _bulk().get().details


def test_the_page_refuses_a_sales_rep_assigning(
    sales_a: User, web_client: Callable[[User], Client]
) -> None:
    party = factories.make_party(owner=sales_a)
    response = web_client(sales_a).post(
        "/parties/bulk/", {"action": "assign", "ids": [party.pk], "team": "none"}
    )

    assert response.status_code == 403
    assert not _bulk().exists()


def test_the_pages_export_writes_every_party_the_filters_select(
    manager: User, web_client: Callable[[User], Client]
) -> None:
    risky = factories.make_party(given_name="Risky", family_name="One")
    metrics(risky, lifecycle_state="at_risk")
    factories.make_party(given_name="Calm", family_name="Two")

    response = web_client(manager).post(
        "/parties/bulk/",
        {"action": "export", "scope": "all", "list_query": "lifecycle=at_risk&sort=-clv"},
    )

    rows = _csv_rows(response)
    assert [r[3] for r in rows[1:]] == ["Risky One"]
    entry = AuditEntry.objects.get(action="parties.bulk_exported")
    assert entry.details["filter"] == {"lifecycle": "at_risk"}
    assert entry.details["ids"] == [risky.pk]
