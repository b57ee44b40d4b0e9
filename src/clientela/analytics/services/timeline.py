"""Lifecycle changes on a party's timeline: the source the app registers in `apps.py`."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext

from clientela.analytics.models import LifecycleChange, LifecycleState
from clientela.core.timeline import Entry, source_rows
from clientela.parties.models import Party

LIFECYCLE = "lifecycle"


def lifecycle_entries(
    party: Party, before: tuple[datetime, str, int] | None, limit: int, channels: frozenset[str]
) -> list[Entry]:
    """The party's newest lifecycle changes before the cursor, as timeline entries."""
    if channels:
        return []  # lifecycle changes happen on no channel
    labels = dict(LifecycleState.choices)
    rows = source_rows(
        LIFECYCLE,
        lambda party_id: LifecycleChange.objects.filter(party_id=party_id),
        party=party,
        before=before,
        limit=limit,
        channels=channels,
        at="at",
        fields=("id", "at", "from_state", "to_state", "as_of"),
    )
    return [
        Entry(
            kind=LIFECYCLE,
            id=pk,
            at=at,
            title=gettext("Lifecycle: %(from)s → %(to)s")
            % {"from": labels.get(old, old), "to": labels.get(new, new)},
            data={"from_state": old, "to_state": new, "as_of": as_of.isoformat()},
        )
        for pk, at, old, new, as_of in rows
    ]
