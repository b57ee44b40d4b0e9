"""REST routes: the duplicate queue (/duplicates), merging (/parties/{id}/merge, with its
preview) and undoing a merge (/merges/{id}/unmerge)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router

from clientela.core.openapi import problems
from clientela.core.requests import current_user
from clientela.dedupe.models import DuplicateCandidate, MergeRecord
from clientela.dedupe.schemas import (
    DuplicateFilters,
    DuplicateOut,
    DuplicatePage,
    MergeIn,
    MergeOut,
    MergePreviewOut,
)
from clientela.dedupe.services import (
    can_unmerge,
    candidate_page,
    get_candidate,
    get_merge,
    mark_not_duplicate,
    merge_parties,
    merge_preview,
    unmerge,
    unmerge_deadline,
    visible_candidates,
)
from clientela.parties.queries import get_visible_party

duplicates = Router(tags=["duplicates"])
merging = Router(tags=["duplicates"])
merges = Router(tags=["duplicates"])


def _out(pair: DuplicateCandidate) -> dict[str, Any]:
    return {
        "id": pair.pk,
        "party_a": pair.party_a,
        "party_b": pair.party_b,
        "score": pair.score,
        "reasons": pair.reasons,
        "is_exact": pair.is_exact,
        "status": pair.status,
        "found_at": pair.found_at,
        "decided_at": pair.decided_at,
    }


@duplicates.get("", response=DuplicatePage, summary="List likely duplicate pairs")
def list_duplicates(request: HttpRequest, filters: Query[DuplicateFilters]) -> dict[str, Any]:
    """Pairs found by the last scan (`clientela dedupe`), best first; only pairs of which
    you may see both parties."""
    rows = visible_candidates(
        current_user(request),
        status=filters.status,
        party_id=filters.party_id,
        min_score=filters.min_score,
        exact=filters.exact,
    )
    page = candidate_page(rows, cursor=filters.cursor, limit=filters.limit)
    return {**page, "items": [_out(p) for p in page["items"]]}


@duplicates.get("/{pair_id}", response=DuplicateOut, summary="Get a duplicate pair")
def retrieve(request: HttpRequest, pair_id: int) -> dict[str, Any]:
    return _out(get_candidate(current_user(request), pair_id))


@duplicates.post(
    "/{pair_id}/not-duplicate",
    response=DuplicateOut,
    summary="Mark a pair as not a duplicate",
    openapi_extra=problems(403, 409),
)
def not_duplicate(request: HttpRequest, pair_id: int) -> dict[str, Any]:
    """The pair leaves the queue and is not proposed again."""
    user = current_user(request)
    with transaction.atomic():
        pair = get_candidate(user, pair_id)
        mark_not_duplicate(pair, by=user)
    return _out(pair)


def _merge_out(record: MergeRecord) -> dict[str, Any]:
    return {
        "id": record.pk,
        "survivor_id": record.survivor_id,
        "merged_party_id": record.merged_party_id,
        "at": record.at,
        "choices": record.choices,
        "moved": record.moved,
        "unmerged_at": record.unmerged_at,
        "unmerge_until": unmerge_deadline(record),
        "can_unmerge": can_unmerge(record),
    }


@merging.get(
    "/{party_id}/merge-preview/{other_id}",
    response=MergePreviewOut,
    summary="What merging a party into this one would keep",
    openapi_extra=problems(403, 404, 422),
)
def preview(request: HttpRequest, party_id: int, other_id: int) -> dict[str, Any]:
    """The confirmation before a merge: the fields on which the two parties differ, each with
    both values and the side kept when no choice is sent, and the values they share."""
    user = current_user(request)
    survivor = get_visible_party(user, party_id)
    other = get_visible_party(user, other_id)
    return merge_preview(survivor, other, by=user)


@merging.post(
    "/{party_id}/merge",
    response=MergeOut,
    summary="Merge a party into this one",
    openapi_extra=problems(403, 409),
)
def merge(request: HttpRequest, party_id: int, payload: MergeIn) -> dict[str, Any]:
    """This party survives. Everything of `other_id` (interactions, orders, roles, contact
    points, key dates, tags, consents, …) moves to it; `other_id` is archived and its full
    record kept with the merge."""
    user = current_user(request)
    with transaction.atomic():
        survivor = get_visible_party(user, party_id)
        other = get_visible_party(user, payload.other_id)
        record = merge_parties(survivor, other, choices=payload.choices, by=user)
    return _merge_out(record)


@merges.get(
    "/{merge_id}",
    response=MergeOut,
    summary="Get a merge",
    openapi_extra=problems(403, 404),
)
def retrieve_merge(request: HttpRequest, merge_id: int) -> dict[str, Any]:
    """A merge whose surviving party you may see, and whether it can still be undone."""
    return _merge_out(get_merge(current_user(request), merge_id))


@merges.post(
    "/{merge_id}/unmerge",
    response=MergeOut,
    summary="Undo a merge",
    openapi_extra=problems(403, 404, 409),
)
def unmerge_route(request: HttpRequest, merge_id: int) -> dict[str, Any]:
    """Both parties back as they were before the merge, within 30 days of it. Fields edited
    on the survivor since the merge keep their edit; if the merge had changed such a field
    too, the unmerge is refused (409 `unmerge_conflict`, naming the fields)."""
    user = current_user(request)
    with transaction.atomic():
        record = unmerge(merge_id, by=user)
    return _merge_out(record)
