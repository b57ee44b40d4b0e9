"""Bulk actions on the party list: on the chosen parties, or on every party its filters select.

Tag, untag, assign an owner and/or a team, put on a static list, export as CSV. Each is one
use case that the adapter runs in one transaction: the rights are checked first, then the
parties' own services write (set-based, with a change-log line per party changed) and one
audit entry records the action (`parties.bulk_<verb>`: the count, the ids, or the filter when
the selection is large, and the tag, owner, team or list). Only parties the user may see are
ever selected: ids of others are left out as if they did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Right, User
from clientela.accounts.services import record_audit, require_right, require_write
from clientela.core.errors import FieldError, Invalid, invalid
from clientela.parties.models import Party
from clientela.parties.queries import visible_parties
from clientela.parties.services import assign_parties, tag_parties, untag_parties
from clientela.segments.models import StaticMember
from clientela.segments.queries import get_segment
from clientela.segments.schemas import BulkAction, BulkIn
from clientela.segments.services import require_change
from clientela.segments.services.listing import ListQuery, checked_list_query, filtered_parties

# Up to this many parties, the audit entry lists their ids; beyond, it keeps the filter.
AUDITED_IDS = 1000
AUDIT_CODES = {
    BulkAction.TAG: "parties.bulk_tagged",
    BulkAction.UNTAG: "parties.bulk_untagged",
    BulkAction.ASSIGN: "parties.bulk_assigned",
    BulkAction.LIST: "parties.bulk_listed",
    BulkAction.EXPORT: "parties.bulk_exported",
}
CHUNK = 500


@dataclass
class BulkResult:
    """What a bulk action did: how many parties it was asked for, how many it changed."""

    action: BulkAction
    selected: int
    changed: int
    audit_id: int
    parties: QuerySet[Party] | None = None  # export: the parties to write


def selection(user: User, data: BulkIn) -> tuple[QuerySet[Party], ListQuery | None]:
    """The visible parties the request names: its ids, or every one its filter selects."""
    if (data.ids is None) == (data.filter is None):
        raise invalid(
            "ids", None, _("send either ids or filter, not both"), code="bulk_selection_invalid"
        )
    if data.ids is not None:
        if not data.ids:
            raise invalid("ids", [], _("choose at least one party"), code="bulk_selection_empty")
        return visible_parties(user).filter(pk__in=sorted(set(data.ids))), None
    query = checked_list_query(data.filter or {})
    return filtered_parties(user, query), query


def _require(user: User, data: BulkIn) -> None:
    """Refuse before anything is read or written: the action's right, its arguments."""
    if data.action == BulkAction.EXPORT:
        require_right(user, Right.EXPORT)
        return
    if data.action == BulkAction.ASSIGN:
        require_right(user, Right.ASSIGN)
        if not data.model_fields_set & {"owner_id", "team_id"}:
            raise invalid(
                "owner_id", None, _("choose an owner, a team or both"), code="assign_nothing"
            )
        return
    require_write(user)
    if data.action in (BulkAction.TAG, BulkAction.UNTAG) and not (data.tag or "").strip():
        raise invalid("tag", data.tag, _("choose a tag"), code="bulk_tag_missing")
    if data.action == BulkAction.LIST and data.segment_id is None:
        raise invalid("segment_id", None, _("choose a static list"), code="bulk_segment_missing")


def run_bulk_action(data: BulkIn, *, by: User) -> BulkResult:
    """Do the action on the selection and record it in the audit log; the caller holds the
    transaction, so the change and its entry exist together or not at all."""
    _require(by, data)
    parties, query = selection(by, data)
    details: dict[str, Any] = {}
    ids = sorted(parties.values_list("pk", flat=True))
    changed: list[int] = ids
    if data.action == BulkAction.TAG:
        tag, changed = tag_parties(parties, data.tag or "", by=by)
        details["tag"] = {"id": tag.pk, "name": tag.name}
    elif data.action == BulkAction.UNTAG:
        tag, changed = untag_parties(parties, data.tag or "", by=by)
        details["tag"] = {"id": tag.pk, "name": tag.name}
    elif data.action == BulkAction.ASSIGN:
        names: tuple[str, ...] = ("owner_id", "team_id")
        fields = {k: getattr(data, k) for k in names if k in data.model_fields_set}
        changed = assign_parties(parties, by=by, **fields)
        details.update(fields)
    elif data.action == BulkAction.LIST:
        segment_id, changed = _put_on_list(by, data.segment_id or 0, ids)
        details["segment_id"] = segment_id
    details["count"] = len(ids)
    details["changed"] = len(changed)
    if len(ids) <= AUDITED_IDS:
        details["ids"] = ids
    if query is not None:
        details["filter"] = query.filters
    entry = record_audit(
        by,
        AUDIT_CODES[data.action],
        target_kind="segment" if data.action == BulkAction.LIST else "party",
        target_id=details.get("segment_id", ""),
        details=details,
    )
    return BulkResult(
        action=data.action,
        selected=len(ids),
        changed=len(changed),
        audit_id=entry.pk,
        parties=parties if data.action == BulkAction.EXPORT else None,
    )


def _put_on_list(by: User, segment_id: int, ids: list[int]) -> tuple[int, list[int]]:
    """Add the parties to a static list the user may change; the ids that were not on it."""
    segment = get_segment(segment_id)
    require_change(segment, by)
    if not segment.is_static:
        raise Invalid(
            FieldError(
                "segment_id", segment.pk, _("is not a static list"), code="segment_not_static"
            )
        )
    on_list: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        on_list.update(
            StaticMember.objects.filter(segment=segment, party_id__in=chunk).values_list(
                "party_id", flat=True
            )
        )
    added = [pk for pk in ids if pk not in on_list]
    StaticMember.objects.bulk_create(
        [StaticMember(segment=segment, party_id=pk, added_by=by) for pk in added],
        batch_size=CHUNK,
        ignore_conflicts=True,
    )
    return segment.pk, added
