"""The "merge" timeline source: each merge shows on the survivor's timeline."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.timeline import Entry, register_source, source_rows
from clientela.dedupe.models import MergeRecord
from clientela.interactions.presenters import KIND_LABELS
from clientela.parties.models import Party

MERGE = "merge"


def merge_entries(
    party: Party, before: tuple[datetime, str, int] | None, limit: int, channels: frozenset[str]
) -> list[Entry]:
    """The party's merges, newest first; a merge has no channel, so a channel filter hides it."""
    if channels:
        return []
    rows = source_rows(
        MERGE,
        lambda party_id: MergeRecord.objects.filter(survivor_id=party_id),
        party=party,
        before=before,
        limit=limit,
        channels=channels,
        at="at",
        fields=(
            "id",
            "at",
            "merged_name",
            "merged_party_id",
            "choices",
            "moved",
            "by__full_name",
            "by__email",
        ),
    )
    return [
        Entry(
            kind=MERGE,
            id=pk,
            at=at,
            title=_("Merged with %(name)s (party %(id)s)") % {"name": name, "id": merged_id},
            actor=by_name or by_email or "",  # str(by): full name, else e-mail
            data={"merged_party_id": merged_id, "choices": choices, "moved": moved},
        )
        for pk, at, name, merged_id, choices, moved, by_name, by_email in rows
    ]


register_source(MERGE, merge_entries)

# The timeline pages label each entry's kind from this table.
KIND_LABELS.setdefault(MERGE, gettext_lazy("Merge"))
