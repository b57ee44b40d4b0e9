"""The admin lists duplicate pairs and merges, and changes neither."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.dedupe.models import DuplicateCandidate, MergeRecord
from clientela.dedupe.services import merge_parties, scan_duplicates
from tests.factories import make_party

pytestmark = pytest.mark.django_db


@pytest.fixture
def merged(manager: User) -> MergeRecord:
    make_party(given_name="Maria", family_name="Silva", phone="+351912345678")
    make_party(given_name="Maria", family_name="Sliva", phone="+351912345678")
    make_party(given_name="Rui", family_name="Costa", phone="+351912345679")
    make_party(given_name="Rui", family_name="Costa", phone="+351912345679")
    scan_duplicates()
    pair = DuplicateCandidate.objects.first()
    assert pair is not None
    return merge_parties(pair.party_a, pair.party_b, by=manager)


@pytest.mark.parametrize("model", ["duplicatecandidate", "mergerecord"])
def test_an_admin_sees_each_list_and_search(
    admin: User, web_client: Callable[[User], Client], merged: MergeRecord, model: str
) -> None:
    client = web_client(admin)
    assert client.get(f"/admin/dedupe/{model}/").status_code == 200
    assert client.get(f"/admin/dedupe/{model}/?q=Maria").status_code == 200
    assert client.get(f"/admin/dedupe/{model}/?q=17").status_code == 200


def test_a_merge_record_is_shown_but_cannot_be_changed_or_deleted(
    admin: User, web_client: Callable[[User], Client], merged: MergeRecord
) -> None:
    client = web_client(admin)
    page = client.get(f"/admin/dedupe/mergerecord/{merged.pk}/change/")
    assert page.status_code == 200
    assert b'name="merged_name"' not in page.content  # shown, not an input
    assert client.get(f"/admin/dedupe/mergerecord/{merged.pk}/delete/").status_code == 403
    assert client.get("/admin/dedupe/mergerecord/add/").status_code == 403
    pair = DuplicateCandidate.objects.get(status="open")
    assert client.get(f"/admin/dedupe/duplicatecandidate/{pair.pk}/change/").status_code == 200
    assert (
        client.post(
            f"/admin/dedupe/duplicatecandidate/{pair.pk}/change/", {"status": "merged"}
        ).status_code
        == 403
    )
    pair.refresh_from_db()
    assert pair.status == "open"


def test_a_non_staff_user_is_refused(manager: User, web_client: Callable[[User], Client]) -> None:
    assert web_client(manager).get("/admin/dedupe/mergerecord/").status_code == 403
