"""Merge previews and unmerges through the API, the command line and the pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from clientela.accounts.models import User
from clientela.dedupe.models import MergeRecord
from clientela.dedupe.services import merge_parties
from clientela.parties.models import Party
from tests.factories import make_interaction, make_party

pytestmark = pytest.mark.django_db
ClientOf = Callable[[User], Client]


def _twins() -> tuple[Party, Party]:
    a = make_party(given_name="Maria", family_name="Silva", phone="+351912345678", language="pt")
    b = make_party(given_name="Maria", family_name="Sliva", phone="+351912345678", notes="VIP")
    return a, b


def _post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, body or {}, content_type="application/json")


def _run(*args: str) -> str:
    out = StringIO()
    call_command("dedupe", *args, stdout=out)
    return out.getvalue()


def test_the_preview_lists_each_conflict_with_both_values_and_the_shared_ones(
    manager: User, api_client: ClientOf
) -> None:
    a, b = _twins()
    response = api_client(manager).get(f"/api/v1/parties/{a.pk}/merge-preview/{b.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    conflicts = {c["field"]: (c["survivor"], c["other"], c["default"]) for c in body["conflicts"]}
    assert conflicts["family_name"] == ("Silva", "Sliva", "survivor")
    assert conflicts["notes"] == ("", "VIP", "other")
    assert {"field": "given_name", "value": "Maria"} in body["same"]
    assert not MergeRecord.objects.exists()  # a preview merges nothing


def test_an_unknown_field_or_side_is_refused_with_the_field_named(
    manager: User, api_client: ClientOf
) -> None:
    a, b = _twins()
    response = _post(
        api_client(manager),
        f"/api/v1/parties/{a.pk}/merge",
        {"other_id": b.pk, "choices": {"shoe_size": "other"}},
    )
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == ("choices.shoe_size", "merge_field_unknown")
    assert Party.objects.get(pk=b.pk).archived_at is None


def test_a_merge_is_read_and_undone_through_the_api(manager: User, api_client: ClientOf) -> None:
    a, b = _twins()
    call = make_interaction(b)
    client = api_client(manager)
    merged = _post(
        client,
        f"/api/v1/parties/{a.pk}/merge",
        {"other_id": b.pk, "choices": {"family_name": "other"}},
    ).json()
    assert merged["can_unmerge"] is True
    assert client.get(f"/api/v1/merges/{merged['id']}").json()["choices"]["family_name"] == "other"
    response = _post(client, f"/api/v1/merges/{merged['id']}/unmerge")
    assert response.status_code == 200, response.content
    assert response.json()["unmerged_at"] is not None
    assert response.json()["can_unmerge"] is False
    assert client.get(f"/api/v1/parties/{b.pk}").json()["family_name"] == "Sliva"
    assert client.get(f"/api/v1/parties/{a.pk}").json()["family_name"] == "Silva"
    call.refresh_from_db()
    assert call.party_id == b.pk
    again = _post(client, f"/api/v1/merges/{merged['id']}/unmerge")
    assert (again.status_code, again.json()["code"]) == (409, "merge_already_undone")


def test_an_old_merge_and_a_viewer_are_refused(
    manager: User, viewer: User, api_client: ClientOf
) -> None:
    a, b = _twins()
    record = merge_parties(a, b, by=manager)
    refused = _post(api_client(viewer), f"/api/v1/merges/{record.pk}/unmerge")
    assert refused.status_code == 403
    MergeRecord.objects.filter(pk=record.pk).update(at=timezone.now() - timedelta(days=30, hours=1))
    old = _post(api_client(manager), f"/api/v1/merges/{record.pk}/unmerge")
    assert (old.status_code, old.json()["code"]) == (409, "unmerge_expired")
    assert api_client(manager).get(f"/api/v1/merges/{record.pk}").json()["can_unmerge"] is False


def test_the_command_line_needs_a_choice_for_every_differing_field() -> None:
    a, b = _twins()
    with pytest.raises(CommandError) as refused:
        _run("--merge", str(a.pk), str(b.pk), "--choose", "family_name=other")
    assert "choices.notes" in str(refused.value) or "notes" in str(refused.value)
    assert "choices.language" in str(refused.value) or "language" in str(refused.value)
    assert not MergeRecord.objects.exists()
    with pytest.raises(CommandError) as bad:
        _run("--merge", str(a.pk), str(b.pk), "--choose", "family_name")
    assert "family_name" in str(bad.value)


def test_the_command_line_merges_with_choices_and_unmerges() -> None:
    a, b = _twins()
    out = json.loads(
        _run(
            "--merge",
            str(a.pk),
            str(b.pk),
            "--choose",
            "family_name=other",
            "--choose",
            "notes=other",
            "--choose",
            "language=survivor",
            "--json",
        )
    )
    assert (out["survivor_id"], out["merged_party_id"]) == (a.pk, b.pk)
    assert Party.objects.get(pk=a.pk).family_name == "Sliva"
    text = _run("--unmerge", str(out["id"]))
    assert f"party {b.pk} is separate from {a.pk} again" in text
    assert Party.objects.get(pk=a.pk).family_name == "Silva"
    assert Party.objects.get(pk=b.pk).archived_at is None


def test_the_pages_list_merges_and_undo_one(manager: User, web_client: ClientOf) -> None:
    a, b = _twins()
    record = merge_parties(a, b, choices={"family_name": "other"}, by=manager)
    client = web_client(manager)
    listing = client.get("/duplicates/merges/").content.decode()
    assert f"/duplicates/merges/{record.pk}/" in listing
    page = client.get(f"/duplicates/merges/{record.pk}/").content.decode()
    assert "Unmerge" in page
    response = client.post(f"/duplicates/merges/{record.pk}/unmerge/")
    assert response.status_code == 302
    assert response["Location"] == f"/parties/{a.pk}/"
    assert Party.objects.get(pk=b.pk).archived_at is None
    done = client.get(f"/duplicates/merges/{record.pk}/").content.decode()
    assert "Undone on" in done


def test_a_refused_unmerge_is_shown_on_the_merge_page(manager: User, web_client: ClientOf) -> None:
    a, b = _twins()
    record = merge_parties(a, b, by=manager)
    MergeRecord.objects.filter(pk=record.pk).update(at=timezone.now() - timedelta(days=31))
    client = web_client(manager)
    response = client.post(f"/duplicates/merges/{record.pk}/unmerge/", follow=True)
    assert "can be undone for 30 days" in response.content.decode()
    assert Party.objects.get(pk=b.pk).archived_at is not None


def test_the_merge_pages_are_for_those_who_may_merge(viewer: User, web_client: ClientOf) -> None:
    assert web_client(viewer).get("/duplicates/merges/").status_code == 403
