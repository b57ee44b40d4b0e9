"""The review queue: likely duplicate pairs a user may see, one page at a time, and the
decision that two parties are not the same."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.accounts.services import require_write
from clientela.core.errors import NotFound, invalid
from clientela.core.ids import is_id
from clientela.core.pagination import decode_cursor, encode_cursor
from clientela.dedupe.models import CandidateStatus, DuplicateCandidate
from clientela.dedupe.services.merges import already_decided
from clientela.parties.queries import visible_parties


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
        if not is_id(party_id):
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
        if not isinstance(score, int) or not is_id(pk):
            raise invalid(
                "cursor", cursor, _("is not a cursor this API returned"), code="cursor_invalid"
            )
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
    found = None
    if is_id(candidate_id):
        found = visible_candidates(user, status="").filter(pk=candidate_id).first()
    if found is None:
        raise NotFound(
            _("duplicate pair %(id)s not found"),
            code="duplicate_pair_not_found",
            params={"id": candidate_id},
        )
    return found


def mark_not_duplicate(candidate: DuplicateCandidate, *, by: User) -> DuplicateCandidate:
    """Record that the two are different parties; the scan will not propose them again."""
    require_write(by)
    if candidate.status != CandidateStatus.OPEN:
        raise already_decided(candidate)
    candidate.status = CandidateStatus.NOT_DUPLICATE
    candidate.decided_at = timezone.now()
    candidate.decided_by = by
    candidate.save(update_fields=["status", "decided_at", "decided_by"])
    return candidate
