"""The set-based write path of call lists: thousands of call activities, their timeline steps
and the list's items in a few statements, behind `services.call_lists.build_call_list`.

The ORM's bulk_create prepares every value of every row through each field (about 40% of a
10,000-party build); these inserts adapt only the moments and days, through the database's own
adapters, and read the new activities' ids back by their list (source_kind, source_id).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import connection

from clientela.activities.models import (
    Activity,
    ActivityEvent,
    ActivityKind,
    ActivityStatus,
    CallListItem,
    EventAction,
    Priority,
    SourceKind,
)
from clientela.core.database import write_slice

BATCH = 500


def _moment(value: datetime | None) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _day(value: date | None) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _clock(value: time | None) -> Any:
    return connection.ops.adapt_timefield_value(value)


def _insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES ({marks})"  # noqa: S608  (our own table and column names; values are bound)
    batch: list[Sequence[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def insert_calls(
    list_id: int,
    title: str,
    calls: Sequence[tuple[int, int, datetime, datetime, str]],
    *,
    by_id: int,
    now: datetime,
    minutes: int,
) -> dict[int, int]:
    """One open call activity per (party, assignee, window start, window end, zone name), due
    at the window's start in the customer's zone; returns the new activity id by party id."""
    columns = (
        "party_id", "kind", "title", "notes", "due_date", "due_time", "time_zone", "due_at",
        "overdue_at", "duration_minutes", "assignee_id", "priority", "status", "repeat_unit",
        "repeat_every", "source_kind", "source_id", "outcome", "created_at", "updated_at",
        "created_by_id",
    )  # fmt: skip
    stamp = _moment(now)
    rows = (
        (
            party_id,
            ActivityKind.CALL.value,
            title,
            "",
            _day(start.date()),
            _clock(start.time()),
            zone,
            _moment(start),
            _moment(end),
            minutes,
            assignee_id,
            Priority.NORMAL.value,
            ActivityStatus.OPEN.value,
            "",
            1,
            SourceKind.CALL_LIST.value,
            list_id,
            "",
            stamp,
            stamp,
            by_id,
        )
        # The window's start is in the customer's zone: its day and time are theirs.
        for party_id, assignee_id, start, end, zone in calls
    )
    _insert(Activity._meta.db_table, columns, rows)
    made = Activity.objects.filter(source_kind=SourceKind.CALL_LIST, source_id=list_id)
    return dict(made.values_list("party_id", "pk"))


def insert_scheduled_events(activities: dict[int, int], *, by_id: int, now: datetime) -> None:
    """The timeline's "scheduled" step of each new call."""
    stamp = _moment(now)
    _insert(
        ActivityEvent._meta.db_table,
        ("activity_id", "party_id", "action", "at", "actor_id"),
        (
            (pk, party_id, EventAction.SCHEDULED.value, stamp, by_id)
            for party_id, pk in activities.items()
        ),
    )


def insert_items(
    list_id: int,
    items: Sequence[tuple[int, int | None, int | None, str, str, datetime | None, datetime | None]],
    *,
    now: datetime,
) -> None:
    """The list's items: (party, assignee, activity, status, reason, window start, end)."""
    stamp = _moment(now)
    _insert(
        CallListItem._meta.db_table,
        (
            "call_list_id",
            "party_id",
            "assignee_id",
            "activity_id",
            "status",
            "reason",
            "attempts",
            "last_outcome",
            "window_start",
            "window_end",
            "updated_at",
        ),
        (
            (
                list_id,
                party_id,
                assignee_id,
                activity_id,
                status,
                reason,
                0,
                "",
                _moment(start),
                _moment(end),
                stamp,
            )
            for party_id, assignee_id, activity_id, status, reason, start, end in items
        ),
    )


# An import's journal (imports.services.publishing): the activities one slice planned.
KIND = "activities"


@dataclass
class ActivityUndo:
    """How to take back what an import's slices wrote: the activities they planned (their
    timeline steps and assignment notices go with them)."""

    ids: list[int] = field(default_factory=list)

    def add(self, other: ActivityUndo) -> None:
        self.ids += other.ids

    def as_record(self) -> dict[str, Any]:
        return {"kind": KIND, "ids": self.ids}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ActivityUndo:
        return cls([int(pk) for pk in record.get("ids", [])])


def take_back(undo: ActivityUndo) -> None:
    """Delete the activities of a write that is taken back, BATCH at a time, each its own short
    write (the writers waiting for the lock go first between two)."""
    for start in range(0, len(undo.ids), BATCH):
        with write_slice():
            Activity.objects.filter(pk__in=undo.ids[start : start + BATCH]).delete()
    undo.ids.clear()
