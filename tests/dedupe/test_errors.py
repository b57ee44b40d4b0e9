"""Every refusal of the duplicate queue and of merges carries a stable code, and pages show
it in the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from clientela.accounts.models import Right, Role, User
from clientela.core.errors import DomainError, Invalid, NotFound
from clientela.core.pagination import encode_cursor
from clientela.dedupe.models import DuplicateCandidate
from clientela.dedupe.services import merge_candidate, merge_parties, scan_duplicates
from clientela.parties.models import PartyKind
from tests.conftest import Grant
from tests.factories import make_party


@pytest.fixture(autouse=True)
def _sales_may_merge(grant: Grant) -> None:
    """Sales may not merge by default (accounts.models.RIGHTS); these tests give them the right
    to show the rules that still hold then (what they see, what they may assign)."""
    grant(Role.SALES, Right.MERGE)


pytestmark = pytest.mark.django_db
Clients = Callable[[User], Client]


def _post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, body or {}, content_type="application/json")


def _codes(response: Any) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]


def _pair(**fields: Any) -> DuplicateCandidate:
    make_party(given_name="Maria", family_name="Silva", phone="+351912345678", **fields)
    make_party(given_name="Maria", family_name="Sliva", phone="+351912345678", **fields)
    scan_duplicates()
    return DuplicateCandidate.objects.get()


def test_merging_a_party_with_itself_is_refused_with_a_code(
    manager: User, api_client: Clients
) -> None:
    party = make_party()
    response = _post(
        api_client(manager), f"/api/v1/parties/{party.pk}/merge", {"other_id": party.pk}
    )
    assert response.status_code == 422
    assert _codes(response) == ["merge_with_itself"]


def test_merging_parties_of_two_kinds_names_the_other_kind(
    manager: User, api_client: Clients
) -> None:
    person, org = make_party(), make_party(kind=PartyKind.ORGANIZATION)
    response = _post(
        api_client(manager), f"/api/v1/parties/{person.pk}/merge", {"other_id": org.pk}
    )
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["code"] == "merge_kind_differs"
    assert error["params"] == {"kind": "Organization"}


def test_an_unknown_field_choice_has_its_code(manager: User, api_client: Clients) -> None:
    a, b = make_party(), make_party()
    response = _post(
        api_client(manager),
        f"/api/v1/parties/{a.pk}/merge",
        {"other_id": b.pk, "choices": {"password": "other"}},
    )
    assert response.status_code == 422
    assert _codes(response) == ["merge_field_unknown"]


def test_a_sales_user_taking_the_other_owner_is_refused_with_a_code(
    sales_a: User, api_client: Clients
) -> None:
    a = make_party(owner=sales_a, team=sales_a.team)
    b = make_party(owner=None, team=sales_a.team)
    response = _post(
        api_client(sales_a),
        f"/api/v1/parties/{a.pk}/merge",
        {"other_id": b.pk, "choices": {"owner_id": "other"}},
    )
    assert response.status_code == 422
    assert _codes(response) == ["assign_forbidden"]


def test_a_parent_that_would_make_a_loop_is_refused_with_a_code(
    manager: User, api_client: Clients
) -> None:
    survivor = make_party(kind=PartyKind.ORGANIZATION, organization_name="Acme")
    child = make_party(kind=PartyKind.ORGANIZATION, organization_name="Acme Lisbon")
    other = make_party(kind=PartyKind.ORGANIZATION, organization_name="ACME", parent=child)
    child.parent = survivor
    child.save()
    response = _post(
        api_client(manager),
        f"/api/v1/parties/{survivor.pk}/merge",
        {"other_id": other.pk, "choices": {"parent_id": "other"}},
    )
    assert response.status_code == 422
    assert _codes(response) == ["parent_loop"]


def test_deciding_a_pair_twice_is_a_conflict_with_a_code(
    manager: User, api_client: Clients
) -> None:
    pair = _pair()
    client = api_client(manager)
    _post(client, f"/api/v1/duplicates/{pair.pk}/not-duplicate")
    response = _post(client, f"/api/v1/duplicates/{pair.pk}/not-duplicate")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "pair_already_decided"
    assert body["detail"] == "this pair was already decided"


def test_an_unknown_pair_is_a_404_with_a_code(manager: User, api_client: Clients) -> None:
    response = api_client(manager).get("/api/v1/duplicates/999999")
    assert response.status_code == 404
    assert response.json()["code"] == "duplicate_pair_not_found"
    assert response.json()["detail"] == "duplicate pair 999999 not found"


def test_a_cursor_of_another_list_has_the_code_of_a_bad_cursor(
    manager: User, api_client: Clients
) -> None:
    cursor = encode_cursor(["2024-01-01", 5])  # the shape of a cursor, not of this list's
    response = api_client(manager).get(f"/api/v1/duplicates?cursor={cursor}")
    assert response.status_code == 422
    assert _codes(response) == ["cursor_invalid"]


def test_a_party_the_user_cannot_see_is_not_found_with_a_code(sales_a: User, sales_b: User) -> None:
    mine = make_party(owner=sales_b, team=sales_b.team)
    theirs = make_party(owner=sales_a, team=sales_a.team)
    with pytest.raises(NotFound) as caught:
        merge_parties(mine, theirs, by=sales_b)
    assert (caught.value.code, caught.value.params) == ("party_not_found", {"id": theirs.pk})


def test_a_survivor_outside_the_pair_is_refused_with_a_code(manager: User) -> None:
    pair = _pair()
    with pytest.raises(Invalid) as caught:
        merge_candidate(pair, survivor_id=make_party().pk, by=manager)
    assert caught.value.errors[0].code == "survivor_not_in_pair"


def test_merging_a_decided_pair_is_refused_with_a_code(manager: User) -> None:
    pair = _pair()
    merge_candidate(pair, survivor_id=pair.party_a_id, by=manager)
    pair.refresh_from_db()
    with pytest.raises(DomainError) as caught:
        merge_candidate(pair, survivor_id=pair.party_a_id, by=manager)
    assert caught.value.code == "pair_already_decided"


def test_the_review_page_shows_a_refused_choice_on_its_field_in_portuguese(
    sales_a: User, web_client: Clients
) -> None:
    pair = _pair(team=sales_a.team)
    a = pair.party_a
    a.owner = sales_a
    a.save()
    response = web_client(sales_a).post(
        f"/duplicates/{pair.pk}/merge/",
        {"survivor": "a", "field:owner_id": "b"},
        HTTP_ACCEPT_LANGUAGE="pt",
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="error-owner_id">só gestores e administradores o podem atribuir' in page


def test_a_pair_decided_twice_on_the_page_says_so_in_the_readers_language(
    manager: User, web_client: Clients
) -> None:
    pair = _pair()
    client = web_client(manager)
    client.post(f"/duplicates/{pair.pk}/not-duplicate/")
    response = client.post(
        f"/duplicates/{pair.pk}/not-duplicate/", HTTP_ACCEPT_LANGUAGE="pt", follow=True
    )
    assert "este par já foi decidido" in response.content.decode()
