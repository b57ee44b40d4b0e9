"""The "merge" timeline source: each merge shows on the survivor's timeline."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.dedupe.models import MergeRecord
from clientela.interactions.presenters import KIND_LABELS
from clientela.interactions.timeline import Entry, before_filter, register_source
from clientela.parties.models import Party

MERGE = "merge"


def merge_entries(
    party: Party, before: tuple[datetime, str, int] | None, limit: int, channels: frozenset[str]
) -> list[Entry]:
    """The party's merges, newest first; a merge has no channel, so a channel filter hides it."""
    if channels:
        return []
    rows = (
        MergeRecord.objects.filter(survivor=party)
        .filter(before_filter(MERGE, before, at="at"))
        .select_related("by")
        .order_by("-at", "-id")[:limit]
    )
    return [
        Entry(
            kind=MERGE,
            id=r.pk,
            at=r.at,
            title=_("Merged with %(name)s (party %(id)s)")
            % {"name": r.merged_name, "id": r.merged_party_id},
            actor=str(r.by) if r.by else "",
            data={"merged_party_id": r.merged_party_id, "choices": r.choices, "moved": r.moved},
        )
        for r in rows
    ]


register_source(MERGE, merge_entries)

# The timeline pages label each entry's kind from this table.
KIND_LABELS.setdefault(MERGE, gettext_lazy("Merge"))
