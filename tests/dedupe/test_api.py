from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.dedupe.models import CandidateStatus, DuplicateCandidate, MergeRecord
from clientela.dedupe.services import scan_duplicates
from clientela.parties.models import Party
from tests.factories import make_interaction, make_party

pytestmark = pytest.mark.django_db
ApiClient = Callable[[User], Client]


_phones = itertools.count(912345600)


def _twins(**fields: Any) -> tuple[Party, Party]:
    """Two records of one person: the same phone, a typo in the family name."""
    phone = f"+351{next(_phones)}"
    a = make_party(given_name="Maria", family_name="Silva", phone=phone, **fields)
    b = make_party(given_name="Maria", family_name="Sliva", phone=phone, **fields)
    return a, b


def _post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, body or {}, content_type="application/json")


def test_the_duplicate_list_shows_pairs_with_score_and_reasons(
    manager: User, api_client: ApiClient
) -> None:
    a, b = _twins()
    scan_duplicates()
    body = api_client(manager).get("/api/v1/duplicates").json()
    (item,) = body["items"]
    assert (item["party_a"]["id"], item["party_b"]["id"]) == (a.pk, b.pk)
    assert item["score"] >= 80
    assert {"code": "same_phone", "score": None} in item["reasons"]
    assert item["status"] == "open"
    assert body["next_cursor"] is None


def test_the_duplicate_list_pages_with_a_cursor(manager: User, api_client: ApiClient) -> None:
    for _ in range(3):
        _twins()
        make_party(given_name="Other", family_name="Person")
    scan_duplicates()
    client = api_client(manager)
    seen, cursor = [], None
    while True:
        url = "/api/v1/duplicates?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).json()
        seen += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(DuplicateCandidate.objects.values_list("pk", flat=True))
    assert len(seen) == len(set(seen))


def test_a_bad_cursor_is_a_422_naming_the_cursor(manager: User, api_client: ApiClient) -> None:
    response = api_client(manager).get("/api/v1/duplicates?cursor=nonsense")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "cursor"


def test_the_duplicate_list_takes_a_bounded_number_of_queries(
    manager: User, api_client: ApiClient, django_assert_max_num_queries: Any
) -> None:
    for _ in range(10):
        _twins()
    scan_duplicates()
    client = api_client(manager)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/duplicates?limit=50")
    assert len(response.json()["items"]) == 10


def test_another_teams_pairs_are_not_listed(
    sales_a: User, sales_b: User, api_client: ApiClient
) -> None:
    _twins(owner=sales_a, team=sales_a.team)
    scan_duplicates()
    assert api_client(sales_b).get("/api/v1/duplicates").json()["items"] == []
    assert len(api_client(sales_a).get("/api/v1/duplicates").json()["items"]) == 1


def test_a_pair_with_one_party_of_another_team_is_not_listed(
    sales_a: User, sales_b: User, api_client: ApiClient
) -> None:
    make_party(
        given_name="Maria",
        family_name="Silva",
        phone="+351912345678",
        owner=sales_a,
        team=sales_a.team,
    )
    make_party(
        given_name="Maria",
        family_name="Silva",
        phone="+351912345678",
        owner=sales_b,
        team=sales_b.team,
    )
    scan_duplicates()
    assert api_client(sales_b).get("/api/v1/duplicates").json()["items"] == []


def test_merging_through_the_api_moves_the_history_and_returns_the_record(
    manager: User, api_client: ApiClient
) -> None:
    a, b = _twins()
    make_interaction(b)
    response = _post(
        api_client(manager),
        f"/api/v1/parties/{a.pk}/merge",
        {"other_id": b.pk, "choices": {"family_name": "survivor"}},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["survivor_id"] == a.pk
    assert body["merged_party_id"] == b.pk
    assert body["moved"]["interactions.interaction.party"] == 1
    assert api_client(manager).get(f"/api/v1/parties/{b.pk}").status_code == 404
    timeline = api_client(manager).get(f"/api/v1/parties/{a.pk}/timeline").json()
    assert "merge" in [e["kind"] for e in timeline["items"]]


@pytest.mark.parametrize(
    ("survivor_id", "other_id", "kept"),
    [("CRM-1", "SHOP-9", "CRM-1"), (None, "SHOP-9", "SHOP-9"), ("CRM-1", None, "CRM-1")],
)
def test_merging_parties_with_different_external_ids_keeps_one(
    manager: User,
    api_client: ApiClient,
    survivor_id: str | None,
    other_id: str | None,
    kept: str,
) -> None:
    a = make_party(given_name="Maria", family_name="Silva", external_id=survivor_id)
    b = make_party(given_name="Maria", family_name="Sliva", external_id=other_id)
    response = _post(api_client(manager), f"/api/v1/parties/{a.pk}/merge", {"other_id": b.pk})
    assert response.status_code == 200, response.content
    assert Party.objects.get(pk=a.pk).external_id == kept
    assert Party.objects.get(pk=b.pk).archived_at is not None


def test_the_other_partys_external_id_can_be_chosen(manager: User, api_client: ApiClient) -> None:
    a = make_party(given_name="Maria", family_name="Silva", external_id="CRM-1")
    b = make_party(given_name="Maria", family_name="Sliva", external_id="SHOP-9")
    response = _post(
        api_client(manager),
        f"/api/v1/parties/{a.pk}/merge",
        {"other_id": b.pk, "choices": {"external_id": "other"}},
    )
    assert response.status_code == 200, response.content
    assert response.json()["choices"]["external_id"] == "other"
    assert Party.objects.get(pk=a.pk).external_id == "SHOP-9"
    assert Party.objects.get(pk=b.pk).external_id is None


def test_a_sales_user_cannot_merge_another_teams_party(
    sales_a: User, sales_b: User, api_client: ApiClient
) -> None:
    theirs, also_theirs = _twins(owner=sales_a, team=sales_a.team)
    mine = make_party(owner=sales_b, team=sales_b.team)
    client = api_client(sales_b)
    assert (
        _post(client, f"/api/v1/parties/{mine.pk}/merge", {"other_id": theirs.pk}).status_code
        == 404
    )
    assert (
        _post(
            client, f"/api/v1/parties/{theirs.pk}/merge", {"other_id": also_theirs.pk}
        ).status_code
        == 404
    )
    assert not MergeRecord.objects.exists()
    assert Party.objects.filter(archived_at__isnull=False).count() == 0


def test_a_viewer_cannot_merge(viewer: User, api_client: ApiClient) -> None:
    a, b = _twins()
    response = _post(api_client(viewer), f"/api/v1/parties/{a.pk}/merge", {"other_id": b.pk})
    assert response.status_code == 403
    assert not MergeRecord.objects.exists()


def test_a_bad_choice_is_a_422_naming_the_field(manager: User, api_client: ApiClient) -> None:
    a, b = _twins()
    response = _post(
        api_client(manager),
        f"/api/v1/parties/{a.pk}/merge",
        {"other_id": b.pk, "choices": {"given_name": "mine"}},
    )
    assert response.status_code == 422
    assert "choices" in response.json()["errors"][0]["field"]


def test_marking_a_pair_not_a_duplicate_removes_it_from_the_queue(
    manager: User, api_client: ApiClient
) -> None:
    _twins()
    scan_duplicates()
    pair = DuplicateCandidate.objects.get()
    client = api_client(manager)
    response = _post(client, f"/api/v1/duplicates/{pair.pk}/not-duplicate")
    assert response.json()["status"] == "not_duplicate"
    assert client.get("/api/v1/duplicates").json()["items"] == []
    assert _post(client, f"/api/v1/duplicates/{pair.pk}/not-duplicate").status_code == 409
    listed = client.get("/api/v1/duplicates?status=not_duplicate").json()["items"]
    assert [p["id"] for p in listed] == [pair.pk]
    assert DuplicateCandidate.objects.get().status == CandidateStatus.NOT_DUPLICATE
