"""Activities on the party's timeline (planned, done, called off), in the privacy export, and
gone with an erasure."""

from __future__ import annotations

import csv
from datetime import datetime
from typing import IO, Any

from clientela.activities.models import Activity, ActivityEvent, EventAction
from clientela.core.cells import neutralise
from clientela.core.timeline import Entry, register_source, source_rows
from clientela.parties.models import Party

ACTIVITY = "activity"


def _activity_entries(
    party: Party, before: tuple[datetime, str, int] | None, limit: int, channels: frozenset[str]
) -> list[Entry]:
    rows = source_rows(
        ACTIVITY,
        lambda party_id: ActivityEvent.objects.filter(party_id=party_id),
        party=party,
        before=before,
        limit=limit,
        channels=channels,
        at="at",
        channel_field="activity__kind",
        fields=(
            "id",
            "at",
            "action",
            "activity_id",
            "activity__title",
            "activity__kind",
            "activity__due_at",
            "activity__outcome",
            "actor__full_name",
            "actor__email",
        ),
    )
    return [
        Entry(
            kind=ACTIVITY,
            id=pk,
            at=at,
            title=title,
            channel=kind,
            actor=actor_name or actor_email or "",
            data={
                "status": action,
                "activity_id": activity_id,
                "due_at": due_at.isoformat(),
                "outcome": outcome if action == EventAction.DONE else "",
            },
        )
        for (
            pk,
            at,
            action,
            activity_id,
            title,
            kind,
            due_at,
            outcome,
            actor_name,
            actor_email,
        ) in rows
    ]


register_source(ACTIVITY, _activity_entries)


def erased_columns() -> tuple[str, ...]:
    """Every free-text column of the activities table: an erasure deletes the rows."""
    table = Activity._meta.db_table
    return tuple(
        f"{table}.{field.column}"
        for field in Activity._meta.concrete_fields
        if field.get_internal_type() in ("CharField", "TextField")
        and not field.choices
        and not field.primary_key
    )


def erase_activities(party: Party) -> None:
    """Delete the person's activities, with their timeline steps and notices (erasure).

    The interactions logged when they were done stay, blanked by the interactions' eraser.
    """
    Activity.objects.filter(party=party).delete()


def export_activities(party: Party) -> list[dict[str, Any]]:
    """The party's activities, for the privacy (access) export."""
    rows = Activity.objects.filter(party=party).order_by("due_at", "id")
    return [
        {
            "id": a.pk,
            "kind": a.kind,
            "title": a.title,
            "notes": a.notes,
            "due_date": a.due_date.isoformat(),
            "due_time": a.due_time.isoformat() if a.due_time else None,
            "time_zone": a.time_zone,
            "status": a.status,
            "outcome": a.outcome,
            "completed_at": a.completed_at.isoformat() if a.completed_at else None,
            "created_at": a.created_at.isoformat(),
        }
        for a in rows
    ]


EXPORT_COLUMNS = [
    "id",
    "external_id",
    "party_id",
    "party_external_id",
    "kind",
    "title",
    "notes",
    "due_date",
    "due_time",
    "time_zone",
    "duration_minutes",
    "assignee_email",
    "queue",
    "priority",
    "status",
    "repeat_unit",
    "repeat_every",
    "outcome",
    "completed_at",
]


def export_csv(user: Any, out: IO[str], options: dict[str, Any]) -> int:
    """`clientela export activities`: the activities the user may see, as CSV an import of
    activities reads back; formula cells are neutralised. Returns the rows written."""
    from clientela.activities.queries import visible_activities

    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    rows = visible_activities(user).select_related("party", "assignee", "queue").order_by("pk")
    count = 0
    for a in rows.iterator(chunk_size=2000):
        values = [
            a.pk,
            a.external_id or "",
            a.party_id,
            a.party.external_id or "",
            a.kind,
            a.title,
            a.notes,
            a.due_date.isoformat(),
            a.due_time.strftime("%H:%M") if a.due_time else "",
            a.time_zone,
            a.duration_minutes or "",
            a.assignee.email if a.assignee else "",
            a.queue.name if a.queue else "",
            a.priority,
            a.status,
            a.repeat_unit,
            a.repeat_every,
            a.outcome,
            a.completed_at.isoformat() if a.completed_at else "",
        ]
        writer.writerow([neutralise(str(v)) for v in values])
        count += 1
    return count
