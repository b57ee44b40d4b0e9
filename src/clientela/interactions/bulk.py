"""The set-based fast path for many interactions (an import's): one statement per batch.

Behind `interactions.services.open_interaction_writer`, with the rules of `log_interaction`.
The caller hands over interactions already checked against InteractionCreate's rules and
parties resolved among those the user may see (`Checked`). Each write inserts the interactions
whose external id is new (`ON CONFLICT DO NOTHING`); when some were there already, each such
row is compared with the stored interaction by the one rule, `services.differs`: the same
interaction is unchanged; another is refused (`interaction_external_id_taken`), or, when the
stored one belongs to a party the user may not see, refused like any invalid value. A
correction (`corrects_id`) must name an interaction of the same party, as for one write.

`check_only` writes nothing: the rows are judged against the stored interactions and those
judged before (a dry run, and the rest of a file once a row was refused). `keeps_undo` keeps
the ids of what each write made, for the caller that commits in slices (`take_undo`); the
interactions of an import that is taken back were never part of a finished import, so they
are deleted (`take_back`), the one deletion the append-only timeline allows besides erasure.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.core.database import SliceClock
from clientela.core.errors import FieldError, unavailable
from clientela.interactions.models import Attachment, Interaction
from clientela.parties.models import Party

KIND = "interactions"  # how a journal record says whose undo it is
LOOKUP_CHUNK = 900  # under SQLite's variables per statement
# A Checked's columns, then those every row of a write shares (bound once).
COLUMNS = (
    "external_id",
    "party_id",
    "channel",
    "direction",
    "occurred_at",
    "subject",
    "notes",
    "outcome",
    "corrects_id",
    "staff_id",
    "created_by_id",
    "created_at",
)
SHARED = 3


class Checked(NamedTuple):
    """An interaction checked against InteractionCreate's rules, its party resolved: what
    makes it the interaction it is (`occurred_at` None: not sent, "now" when made)."""

    external_id: str
    party_id: int
    channel: str
    direction: str
    occurred_at: datetime | None
    subject: str
    notes: str
    outcome: str
    corrects_id: int | None


def differs(stored: Checked, incoming: Checked) -> bool:
    """Whether an interaction sent again says something else than the stored one (its time
    only if sent). The one rule of every path that logs interactions."""
    return (
        stored.party_id != incoming.party_id
        or stored.channel != incoming.channel
        or stored.direction != incoming.direction
        or stored.subject != incoming.subject
        or stored.notes != incoming.notes
        or stored.outcome != incoming.outcome
        or stored.corrects_id != incoming.corrects_id
        or (incoming.occurred_at is not None and stored.occurred_at != incoming.occurred_at)
    )


def taken(external_id: str, *, seen: bool) -> FieldError:
    """The problem of an external id used by another interaction (not revealed when that
    interaction's party is one the user may not see)."""
    if not seen:
        return unavailable("external_id", external_id)
    return FieldError(
        "external_id",
        external_id,
        _("is already used by a different interaction"),
        code="interaction_external_id_taken",
        params={"external_id": external_id},
    )


def not_of_party(corrects_id: int) -> FieldError:
    return FieldError(
        "corrects_id",
        corrects_id,
        _("is not an interaction of this party"),
        code="interaction_not_of_party",
    )


@dataclass
class Logged:
    """What a write of many interactions did: its counts, and the rows refused (where they
    were in the rows given, and why)."""

    created: int = 0
    unchanged: int = 0
    refused: list[tuple[int, FieldError]] = field(default_factory=list)


@dataclass
class InteractionUndo:
    """How to take back interactions written in committed slices: the id ranges they got."""

    created_ranges: list[tuple[int, int]] = field(default_factory=list)  # ids after, up to

    def add(self, other: InteractionUndo) -> None:
        self.created_ranges += other.created_ranges

    def as_record(self) -> dict[str, Any]:
        return {"kind": KIND, "created_ranges": [list(r) for r in self.created_ranges]}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> InteractionUndo:
        return cls(created_ranges=[(a, b) for a, b in record.get("created_ranges", [])])


def take_back(undo: InteractionUndo) -> None:
    """Delete the interactions of a write that is taken back, a slice at a time (with any
    file attached to one of them meanwhile: its row now, its file after the commit)."""
    from clientela.interactions.services.attachments import discard  # services import this

    table = connection.ops.quote_name(Interaction._meta.db_table)
    clock = SliceClock(20_000)
    for after, last in undo.created_ranges:
        start = after
        while start < last:
            end = min(start + clock.size(), last)
            files = Attachment.objects.filter(interaction_id__gt=start, interaction_id__lte=end)
            if files.exists():
                discard(list(files.values_list("stored_name", flat=True)))
                files.delete()
            with clock.slice(), connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {table} WHERE id > %s AND id <= %s",  # noqa: S608  (the model's name)
                    [start, end],
                )
            start = end
    undo.created_ranges.clear()


class BulkInteractions:
    """Logs checked interactions a batch at a time, idempotent by external id, in the caller's
    transaction."""

    def __init__(
        self, *, by: User, visible: QuerySet[Party], keeps_undo: bool, check_only: bool
    ) -> None:
        self.by = by
        self.visible = visible
        self.keeps_undo = keeps_undo
        self.check_only = check_only
        self.undo = InteractionUndo()
        self.judged: dict[str, Checked] = {}  # check_only: what would have been written
        self.is_sqlite = connection.vendor == "sqlite"
        quote = connection.ops.quote_name
        table = quote(Interaction._meta.db_table)
        names = ", ".join(quote(c) for c in COLUMNS)
        self.max_id_sql = f"SELECT MAX(id) FROM {table}"  # noqa: S608  (the model's name)
        values = ", ".join(f"value->>{i}" for i in range(len(COLUMNS) - SHARED))
        # (The WHERE tells SQLite's parser that ON CONFLICT is not a join's ON.)
        self.json_sql = (
            f"INSERT INTO {table} ({names}) SELECT {values}, %s, %s, %s FROM json_each(%s) "  # noqa: S608  (the model's names)
            "WHERE true ON CONFLICT (external_id) DO NOTHING"
        )
        self.sql = (
            f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(COLUMNS))}) "  # noqa: S608  (the model's names)
            "ON CONFLICT (external_id) DO NOTHING"
        )

    def close(self) -> None:
        """Nothing to release."""

    def take_undo(self) -> InteractionUndo:
        """How to take back what was written since the last call (`keeps_undo`)."""
        undo, self.undo = self.undo, InteractionUndo()
        return undo

    # -- writing ------------------------------------------------------------------------------

    def write(self, rows: Sequence[Checked], stored_at: Sequence[str | None] = ()) -> Logged:
        """Log the rows in their order: the first row of an external id decides, the rows
        that repeat it are compared with it. `stored_at` may give each row's time as SQLite
        keeps it (naive UTC text), when the caller had it without conversion."""
        logged = Logged()
        refused = self._refused_corrections(rows)
        logged.refused += sorted(refused.items())
        fresh = [(i, row) for i, row in enumerate(rows) if i not in refused]
        if self.check_only:
            self._judge(fresh, logged)
            return logged
        with connection.cursor() as cursor:
            cursor.execute(self.max_id_sql)
            before = int(cursor.fetchone()[0] or 0)
            # Sorted by party: the rows of one party land next to each other in the party
            # index, so far fewer of its pages are touched.
            self._insert(cursor, sorted(fresh, key=_party_of), stored_at)
            inserted = cursor.rowcount
            if self.keeps_undo and inserted > 0:
                cursor.execute(self.max_id_sql)
                self.undo.created_ranges.append((before, int(cursor.fetchone()[0])))
        if inserted == len(fresh):
            logged.created += inserted
            return logged
        self._reconcile(fresh, before, logged)
        logged.refused.sort(key=lambda item: item[0])
        return logged

    def _insert(
        self, cursor: Any, rows: list[tuple[int, Checked]], stored_at: Sequence[str | None]
    ) -> None:
        now = timezone.now()
        staff = self.by.pk
        if self.is_sqlite:
            stamp = _utc_text(now)
            params = [
                [
                    ext,
                    party,
                    channel,
                    direction,
                    (stored_at and stored_at[i]) or _utc_text(at or now),
                    subject,
                    notes,
                    outcome,
                    fix,
                ]
                for i, (
                    ext,
                    party,
                    channel,
                    direction,
                    at,
                    subject,
                    notes,
                    outcome,
                    fix,
                ) in rows
            ]
            text = json.dumps(params, ensure_ascii=False, separators=(",", ":"))
            cursor.execute(self.json_sql, [staff, staff, stamp, text])
            return
        cursor.executemany(
            self.sql,
            [(*row[:4], row.occurred_at or now, *row[5:], staff, staff, now) for _i, row in rows],
        )

    def _reconcile(self, rows: list[tuple[int, Checked]], before: int, logged: Logged) -> None:
        """Some external ids were there already (or came twice): each row against the
        interaction its external id names."""
        stored = self._stored({row.external_id for _i, row in rows})
        made: set[str] = set()
        others = {c.party_id for pk, c in stored.values() if pk <= before}
        seen = self._visible(others)
        for position, row in rows:
            pk, content = stored[row.external_id]
            if pk > before and row.external_id not in made:
                made.add(row.external_id)  # the first row with this external id made it
                logged.created += 1
            elif not differs(content, row):
                logged.unchanged += 1
            else:
                mine = pk > before  # made by this write: its party is one the user sees
                visible = mine or content.party_id == row.party_id or content.party_id in seen
                logged.refused.append((position, taken(row.external_id, seen=visible)))

    def _judge(self, rows: list[tuple[int, Checked]], logged: Logged) -> None:
        """Check-only: each row against what is stored or was judged before."""
        stored = self._stored({r.external_id for _i, r in rows} - self.judged.keys())
        seen = self._visible({c.party_id for _pk, c in stored.values()})
        for position, row in rows:
            known = self.judged.get(row.external_id)
            if known is None and row.external_id in stored:
                known = stored[row.external_id][1]
            if known is None:
                self.judged[row.external_id] = row
                logged.created += 1
            elif not differs(known, row):
                logged.unchanged += 1
            else:
                visible = known.party_id == row.party_id or known.party_id in seen
                logged.refused.append((position, taken(row.external_id, seen=visible)))

    def _refused_corrections(self, rows: Sequence[Checked]) -> dict[int, FieldError]:
        """The rows whose correction names no interaction of their party."""
        wanted = {row.corrects_id for row in rows if row.corrects_id is not None}
        if not wanted:
            return {}
        parties: dict[int, int] = {}
        ids = sorted(wanted)
        for start in range(0, len(ids), LOOKUP_CHUNK):
            found = Interaction.objects.filter(pk__in=ids[start : start + LOOKUP_CHUNK])
            parties.update(found.values_list("pk", "party_id"))
        return {
            i: not_of_party(row.corrects_id)
            for i, row in enumerate(rows)
            if row.corrects_id is not None and parties.get(row.corrects_id) != row.party_id
        }

    def _stored(self, external_ids: set[str]) -> dict[str, tuple[int, Checked]]:
        """The stored interactions of these external ids: their ids and contents."""
        found: dict[str, tuple[int, Checked]] = {}
        ids = sorted(external_ids)
        for start in range(0, len(ids), LOOKUP_CHUNK):
            rows = Interaction.objects.filter(external_id__in=ids[start : start + LOOKUP_CHUNK])
            for pk, *content in rows.values_list("pk", *Checked._fields):
                found[content[0]] = (pk, Checked(*content))
        return found

    def _visible(self, party_ids: set[int]) -> set[int]:
        if not party_ids:
            return set()
        return set(self.visible.filter(pk__in=list(party_ids)).values_list("pk", flat=True))


def _party_of(item: tuple[int, Checked]) -> int:
    return item[1].party_id


def _utc_text(moment: datetime) -> str:
    """A time as Django keeps it in SQLite: naive UTC text."""
    return str(moment.astimezone(UTC).replace(tzinfo=None))
