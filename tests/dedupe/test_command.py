from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from clientela.accounts.models import RIGHTS, Right, Role, User
from clientela.dedupe.models import DuplicateCandidate, MergeRecord
from clientela.parties.models import Party
from tests.factories import aware, make_party

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("dedupe", *args, stdout=out)
    return out.getvalue()


def test_dedupe_scans_and_reports_the_pairs_found() -> None:
    make_party(given_name="Maria", family_name="Silva", phone="+351912345678")
    make_party(given_name="Maria", family_name="Sliva", phone="+351912345678")
    output = _run()
    assert "Scanned 2 parties" in output
    assert "1 likely duplicate pairs" in output
    assert DuplicateCandidate.objects.count() == 1


def test_merge_exact_keeps_the_older_party_and_leaves_likely_pairs_for_review() -> None:
    older = make_party(given_name="Maria", family_name="Silva", phone="+351912345678")
    newer = make_party(given_name="Maria", family_name="Silva", phone="+351912345678")
    Party.objects.filter(pk=older.pk).update(created_at=aware(2020, 1, 1))
    Party.objects.filter(pk=newer.pk).update(created_at=aware(2024, 1, 1))
    # Alike names with only a city and an organization in common: for review, not merged.
    make_party(given_name="Rui", family_name="Costa", email="rui@shop.example")
    make_party(given_name="Rui", family_name="Costa", email="rui.costa@other.example")
    summary = json.loads(_run("--merge-exact", "--json"))
    assert summary["merged"] == 1
    record = MergeRecord.objects.get()
    assert (record.survivor_id, record.merged_party_id) == (older.pk, newer.pk)
    assert record.by is None


def test_merge_exact_merges_parties_with_different_external_ids() -> None:
    older = make_party(
        given_name="Maria", family_name="Silva", phone="+351912345678", external_id="CRM-1"
    )
    newer = make_party(
        given_name="Maria", family_name="Silva", phone="+351912345678", external_id="SHOP-9"
    )
    Party.objects.filter(pk=older.pk).update(created_at=aware(2020, 1, 1))
    Party.objects.filter(pk=newer.pk).update(created_at=aware(2024, 1, 1))
    assert json.loads(_run("--merge-exact", "--json"))["merged"] == 1
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.external_id == "CRM-1"
    assert newer.archived_at is not None


def test_merge_exact_as_a_user_records_them_and_only_merges_what_they_see(
    sales_a: User, sales_b: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # By default sales may not merge (accounts.models.RIGHTS); where a company lets them, each
    # merges only what they may see.
    monkeypatch.setitem(RIGHTS, Role.SALES, RIGHTS[Role.SALES] | {Right.MERGE})
    for _ in range(2):
        make_party(
            given_name="Maria",
            family_name="Silva",
            phone="+351912345678",
            owner=sales_a,
            team=sales_a.team,
        )
    assert json.loads(_run("--merge-exact", "--as", sales_b.email, "--json"))["merged"] == 0
    assert json.loads(_run("--merge-exact", "--as", sales_a.email, "--json"))["merged"] == 1
    assert MergeRecord.objects.get().by == sales_a


def test_an_unknown_user_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match=r"no user with e-mail nobody@example\.com"):
        _run("--merge-exact", "--as", "nobody@example.com")
