"""Use cases for duplicates: the review queue, decisions, merges and the scan.

The scan and the merge live in scan.py and merge.py; this module is what adapters call.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from clientela.accounts.models import User
from clientela.accounts.services import require_write
from clientela.core.errors import Conflict, NotFound, invalid
from clientela.core.pagination import decode_cursor, encode_cursor
from clientela.dedupe.merge import OTHER, SURVIVOR, merge_parties
from clientela.dedupe.models import CandidateStatus, DuplicateCandidate, MergeRecord
from clientela.dedupe.scan import ScanResult, scan_duplicates
from clientela.parties.models import Party
from clientela.parties.queries import visible_parties

__all__ = [
    "OTHER",
    "SURVIVOR",
    "ScanResult",
    "candidate_page",
    "get_candidate",
    "mark_not_duplicate",
    "merge_candidate",
    "merge_exact_pairs",
    "merge_parties",
    "merged_into",
    "scan_duplicates",
    "visible_candidates",
]
MAX_ID = 2**63 - 1


def visible_candidates(
    user: User,
    *,
    status: str = CandidateStatus.OPEN,
    party_id: int | None = None,
    min_score: int = 0,
    exact: bool | None = None,
) -> QuerySet[DuplicateCandidate]:
    """Pairs of which the user may see both parties, with the filters given."""
    visible = visible_parties(user)
    rows = DuplicateCandidate.objects.filter(party_a__in=visible, party_b__in=visible)
    if status:
        rows = rows.filter(status=status)
    if party_id is not None:
        if not 0 < party_id <= MAX_ID:
            return rows.none()
        rows = rows.filter(Q(party_a_id=party_id) | Q(party_b_id=party_id))
    if min_score:
        rows = rows.filter(score__gte=min_score)
    if exact is not None:
        rows = rows.filter(is_exact=exact)
    return rows.select_related("party_a", "party_b")


def candidate_page(
    rows: QuerySet[DuplicateCandidate], *, cursor: str | None, limit: int
) -> dict[str, Any]:
    """One page of pairs, best score first (then newest), after the pair a cursor names."""
    if cursor:
        score, pk = decode_cursor(cursor, size=2)
        if not isinstance(score, int) or not isinstance(pk, int):
            raise invalid("cursor", cursor, "is not a cursor this API returned")
        rows = rows.filter(Q(score__lt=score) | Q(score=score, pk__lt=pk))
    page = list(rows.order_by("-score", "-id")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    last = page[-1] if page else None
    return {
        "items": page,
        "next_cursor": encode_cursor([last.score, last.pk]) if more and last else None,
    }


def get_candidate(user: User, candidate_id: int) -> DuplicateCandidate:
    """The pair if the user may see both parties; NotFound otherwise."""
    if not 0 < candidate_id <= MAX_ID:
        raise NotFound(f"duplicate pair {candidate_id} not found")
    found = visible_candidates(user, status="").filter(pk=candidate_id).first()
    if found is None:
        raise NotFound(f"duplicate pair {candidate_id} not found")
    return found


def mark_not_duplicate(candidate: DuplicateCandidate, *, by: User) -> DuplicateCandidate:
    """Record that the two are different parties; the scan will not propose them again."""
    require_write(by)
    if candidate.status != CandidateStatus.OPEN:
        raise Conflict(f"duplicate pair {candidate.pk} was already decided: {candidate.status}")
    candidate.status = CandidateStatus.NOT_DUPLICATE
    candidate.decided_at = timezone.now()
    candidate.decided_by = by
    candidate.save(update_fields=["status", "decided_at", "decided_by"])
    return candidate


def merge_candidate(
    candidate: DuplicateCandidate,
    *,
    survivor_id: int,
    choices: Mapping[str, str] | None = None,
    by: User,
) -> MergeRecord:
    """Merge an open pair, keeping the party named by survivor_id."""
    if candidate.status != CandidateStatus.OPEN:
        raise Conflict(f"duplicate pair {candidate.pk} was already decided: {candidate.status}")
    pair = {candidate.party_a_id: candidate.party_a, candidate.party_b_id: candidate.party_b}
    if survivor_id not in pair:
        raise invalid("survivor", survivor_id, "is not one of the pair")
    (other_id,) = set(pair) - {survivor_id}
    return merge_parties(pair[survivor_id], pair[other_id], choices=choices, by=by)


def merge_exact_pairs(*, by: User | None) -> list[MergeRecord]:
    """Merge every open pair with the same e-mail or phone and alike names; the party
    created first survives and keeps its values, gaps filled from the other."""
    rows = DuplicateCandidate.objects.filter(status=CandidateStatus.OPEN, is_exact=True)
    if by is not None:
        visible = visible_parties(by)
        rows = rows.filter(party_a__in=visible, party_b__in=visible)
    merged: list[MergeRecord] = []
    for pair_id in list(rows.order_by("-score", "id").values_list("pk", flat=True)):
        pair = DuplicateCandidate.objects.filter(pk=pair_id, status=CandidateStatus.OPEN).first()
        if pair is None:  # settled by an earlier merge of this run
            continue
        a, b = Party.objects.filter(pk__in=[pair.party_a_id, pair.party_b_id]).order_by(
            "created_at", "pk"
        )
        if a.archived_at is not None or b.archived_at is not None:
            continue
        merged.append(merge_parties(a, b, by=by))
    return merged


def merged_into(party_id: int) -> int | None:
    """The live party that a merged party's id now leads to, following chains of merges."""
    seen: set[int] = set()
    current: int | None = party_id
    while current is not None and current not in seen:
        seen.add(current)
        record = MergeRecord.objects.filter(merged_party_id=current).order_by("-at").first()
        if record is None:
            return current if current != party_id else None
        current = record.survivor_id
    return None
