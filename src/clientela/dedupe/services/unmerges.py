"""Undoing a merge within 30 days: both parties back as they were before it.

This module decides whether a merge may be undone and in what order things go back; the
parties app writes its tables (parties.services.unmerging), other features' rows move back
generically (related.move_back_related), and merges that had been made into the merged party
go back to it.

What "as they were" means when the survivor changed after the merge:
- a field the merge did not change keeps its later edit; a field the merge changed goes back
  to the survivor's old value, unless it was edited since: then the unmerge is refused
  (`unmerge_conflict`, naming the fields) until someone sets it back or decides otherwise;
- rows added to the survivor after the merge (a new interaction, order or contact point) stay
  with the survivor; the merged party's rows go back to it, and those the merge dropped as
  doubles are made again from the snapshot.
The merged pair returns to the review queue, open. The merge record stays, marked unmerged.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Right, User
from clientela.accounts.services import record_audit, require_right
from clientela.commerce.services import orders_changed
from clientela.core.errors import Conflict, NotFound
from clientela.dedupe.models import CandidateStatus, DuplicateCandidate, MergeRecord
from clientela.dedupe.services.related import move_back_related
from clientela.parties.models import Party
from clientela.parties.queries import party_access
from clientela.parties.services.unmerging import field_conflicts, unmerge_from

UNMERGE_DAYS = 30


def get_merge(user: User | None, merge_id: int) -> MergeRecord:
    """A merge whose survivor the user may see (all for the system), else 404."""
    rows = MergeRecord.objects.select_related("survivor", "by", "unmerged_by")
    if user is not None:
        require_right(user, Right.MERGE)
        # The survivor may have been archived since: the refusal then says so, not 404.
        rows = rows.filter(survivor__in=Party.objects.filter(party_access(user)))
    record = rows.filter(pk=merge_id).first()
    if record is None:
        raise NotFound(_("merge %(id)s not found"), code="merge_not_found", params={"id": merge_id})
    return record


def unmerge_deadline(record: MergeRecord) -> object:
    """Until when the merge can be undone."""
    return record.at + timedelta(days=UNMERGE_DAYS)


def can_unmerge(record: MergeRecord) -> bool:
    """Whether the merge may still be undone (its age and state; conflicts aside)."""
    try:
        _check_undoable(record)
    except Conflict:
        return False
    return True


def unmerge(merge_id: int, *, by: User | None) -> MergeRecord:
    """Undo the merge `merge_id`: the merged party is live again with everything it had, the
    survivor as it was before (later edits kept, see the module's docstring). `by` None is
    the system (the CLI without --as). The adapter wraps this in a transaction."""
    record = get_merge(by, merge_id)
    record = MergeRecord.objects.select_for_update().get(pk=record.pk)
    _check_undoable(record)
    locked = {
        p.pk: p
        for p in Party.objects.select_for_update().filter(
            pk__in=[record.survivor_id, record.merged_party_id]
        )
    }
    survivor, other = locked[record.survivor_id], locked[record.merged_party_id]
    snapshot = record.snapshot
    if conflicts := field_conflicts(survivor, snapshot["survivor"]["fields"], snapshot["after"]):
        raise Conflict(
            _(
                "the merge cannot be undone: %(fields)s changed in the merge and were edited "
                "since; set them back or edit them after the unmerge"
            ),
            code="unmerge_conflict",
            params={"fields": ", ".join(conflicts)},
        )
    dropped = snapshot.get("dropped", {})
    # Other features' rows first, while the merged party is still archived: consent proof
    # moves only away from or towards an archived party (consent migration 0008).
    back = move_back_related(survivor, other, snapshot, dropped)
    back.update(unmerge_from(survivor, other, snapshot=snapshot, dropped=dropped, by=by))
    MergeRecord.objects.filter(pk__in=snapshot.get("merges", []), survivor=survivor).update(
        survivor=other
    )
    pair = sorted((survivor.pk, other.pk))
    DuplicateCandidate.objects.filter(party_a_id=pair[0], party_b_id=pair[1]).update(
        status=CandidateStatus.OPEN, decided_at=None, decided_by=None
    )
    # Both purchase histories changed: their metrics are recomputed once this commits.
    orders_changed([survivor.pk, other.pk])
    record.unmerged_at = timezone.now()
    record.unmerged_by = by
    record.save(update_fields=["unmerged_at", "unmerged_by"])
    record_audit(
        by,
        "parties.unmerged",
        target_kind="party",
        target_id=survivor.pk,
        details={"merge_id": record.pk, "merged_party_id": other.pk, "restored": back},
    )
    return record


def _check_undoable(record: MergeRecord) -> None:
    if record.unmerged_at is not None:
        raise Conflict(
            _("this merge was already undone"),
            code="merge_already_undone",
            params={"id": record.pk},
        )
    if timezone.now() > unmerge_deadline(record):  # type: ignore[operator]  # a datetime
        raise Conflict(
            _("a merge can be undone for %(days)s days; this one is older"),
            code="unmerge_expired",
            params={"days": UNMERGE_DAYS, "id": record.pk},
        )
    snapshot = record.snapshot or {}
    other = Party.objects.filter(pk=record.merged_party_id).first()
    if "survivor" not in snapshot or other is None or other.archived_at is None:
        # Erased (the snapshot blanked), or made before merges kept what an unmerge needs.
        raise Conflict(
            _("this merge cannot be undone: what it replaced is no longer kept"),
            code="unmerge_unavailable",
            params={"id": record.pk},
        )
    if record.survivor.archived_at is not None:
        raise Conflict(
            _("the party kept has been archived or merged since; undo that first"),
            code="unmerge_survivor_archived",
            params={"id": record.pk},
        )
