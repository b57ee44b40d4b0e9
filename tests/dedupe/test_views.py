from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.dedupe.models import CandidateStatus, DuplicateCandidate, MergeRecord
from clientela.dedupe.services import scan_duplicates
from clientela.parties.models import Party
from tests.factories import make_party

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]


def _pair(**fields: Any) -> DuplicateCandidate:
    make_party(
        given_name="Maria", family_name="Silva", phone="+351912345678", language="pt", **fields
    )
    make_party(
        given_name="Maria", family_name="Sliva", phone="+351912345678", language="es", **fields
    )
    scan_duplicates()
    return DuplicateCandidate.objects.get()


def test_the_queue_needs_a_signed_in_user(client: Client) -> None:
    response = client.get("/duplicates/")
    assert response.status_code == 302
    assert "/login" in response["Location"] or "next=" in response["Location"]


def test_the_queue_lists_pairs_with_their_reasons(manager: User, web_client: WebClient) -> None:
    _pair()
    page = web_client(manager).get("/duplicates/").content.decode()
    assert "Maria Sliva" in page
    assert "same phone" in page


def test_the_review_page_shows_both_parties_and_the_fields_that_differ(
    manager: User, web_client: WebClient
) -> None:
    pair = _pair()
    page = web_client(manager).get(f"/duplicates/{pair.pk}/").content.decode()
    assert 'name="field:family_name"' in page
    assert 'name="field:language"' in page
    assert "Not a duplicate" in page


def test_merging_from_the_page_keeps_the_chosen_values(
    manager: User, web_client: WebClient
) -> None:
    pair = _pair()
    response = web_client(manager).post(
        f"/duplicates/{pair.pk}/merge/",
        {"survivor": "b", "field:family_name": "a", "field:language": "b"},
    )
    survivor = Party.objects.get(pk=pair.party_b_id)
    assert response.status_code == 302
    assert response["Location"] == f"/parties/{survivor.pk}/"
    assert (survivor.family_name, survivor.language) == ("Silva", "es")
    assert MergeRecord.objects.get().merged_party_id == pair.party_a_id


def test_a_pair_with_different_external_ids_is_reviewed_and_merged_from_the_page(
    manager: User, web_client: WebClient
) -> None:
    a = make_party(given_name="Maria", family_name="Silva", phone="+351912345678")
    b = make_party(
        given_name="Maria", family_name="Sliva", phone="+351912345678", external_id="SHOP-9"
    )
    scan_duplicates()
    pair = DuplicateCandidate.objects.get()
    client = web_client(manager)
    page = client.get(f"/duplicates/{pair.pk}/")
    assert page.status_code == 200
    assert 'name="field:external_id"' in page.content.decode()
    response = client.post(
        f"/duplicates/{pair.pk}/merge/", {"survivor": "a", "field:external_id": "b"}
    )
    assert response.status_code == 302
    assert Party.objects.get(pk=a.pk).external_id == "SHOP-9"
    assert Party.objects.get(pk=b.pk).archived_at is not None


def test_a_merged_party_s_old_page_leads_to_the_survivor(
    manager: User, web_client: WebClient
) -> None:
    pair = _pair()
    web_client(manager).post(f"/duplicates/{pair.pk}/merge/", {"survivor": "b"})
    response = web_client(manager).get(f"/parties/{pair.party_a_id}/")
    assert response.status_code == 302
    assert response["Location"] == f"/parties/{pair.party_b_id}/"


def test_a_merged_party_s_old_page_stays_hidden_from_who_cannot_see_the_survivor(
    manager: User, sales_b: User, web_client: WebClient
) -> None:
    pair = _pair()
    web_client(manager).post(f"/duplicates/{pair.pk}/merge/", {"survivor": "b"})
    assert web_client(sales_b).get(f"/parties/{pair.party_a_id}/").status_code == 404


def test_not_a_duplicate_from_the_page_leaves_the_queue(
    manager: User, web_client: WebClient
) -> None:
    pair = _pair()
    response = web_client(manager).post(f"/duplicates/{pair.pk}/not-duplicate/")
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.NOT_DUPLICATE


def test_a_viewer_sees_the_queue_but_cannot_merge(viewer: User, web_client: WebClient) -> None:
    pair = _pair()
    client = web_client(viewer)
    assert "Not a duplicate" not in client.get(f"/duplicates/{pair.pk}/").content.decode()
    assert client.post(f"/duplicates/{pair.pk}/merge/", {"survivor": "a"}).status_code == 403
    assert not MergeRecord.objects.exists()


def test_another_teams_pair_is_a_404(sales_a: User, sales_b: User, web_client: WebClient) -> None:
    pair = _pair(owner=sales_a, team=sales_a.team)
    assert web_client(sales_b).get(f"/duplicates/{pair.pk}/").status_code == 404
    assert web_client(sales_b).post(f"/duplicates/{pair.pk}/merge/").status_code == 404
