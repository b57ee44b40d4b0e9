"""The set-based writer of many parties (an import's): staged, then published in slices.

Behind the parties app's own door, with create_party's and update_party's rules: the rows come
checked by `services.rows.check_new` (new parties) or as an update already merged and diffed
(`stage_update`). Nothing reaches the parties tables while the file is read: new parties go to
TEMP tables of the import's own connection (SQLite writes them without the database's write
lock). Once every row passed, `publish_slice` copies the next staged parties into the parties
tables with a few INSERT … SELECT statements (ids assigned in bulk), applies the staged updates,
and writes their change-log lines (`services.changes.record_changes`, the bulk form of
`record_change`), in the caller's transaction; it returns how to take the slice back
(`PartiesUndo`: the ids made, and each updated party as it was before), which `undo_parties`
does.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils import timezone

from clientela.accounts.models import User
from clientela.parties.models import (
    Affiliation,
    ContactPoint,
    KeyDate,
    Party,
    PartyAlias,
    PartyChange,
    PartyRole,
    Tag,
)
from clientela.parties.services.changes import record_changes
from clientela.parties.services.rows import POINT_FIELDS, NewParty
from clientela.parties.services.tags import tag_key
from clientela.parties.services.updates import apply_states

KIND = "parties"
PARTY = "clientela_stage_party"
POINT = "clientela_stage_point"
TAG = "clientela_stage_tag"
ROLE = "clientela_stage_role"
DATE = "clientela_stage_date"
UPDATE = "clientela_stage_update"
IDS = "clientela_stage_ids"
_PARTY_COLUMNS = (
    "kind",
    "given_name",
    "family_name",
    "organization_name",
    "display_name",
    "search_text",
    "name_key",
    "external_id",
    "language",
    "timezone",
    "owner_id",
    "team_id",
    "organization_level",
    "custom",
    "notes",
)
_POINT_COLUMNS = ("kind", "label", "value", "normalized", "is_primary", *POINT_FIELDS)
_TEXT = "TEXT"
_TABLES = {
    PARTY: "id INTEGER PRIMARY KEY, "
    + ", ".join(
        f"{c} {'BIGINT' if c.endswith('_id') and c != 'external_id' else _TEXT}"
        for c in _PARTY_COLUMNS
    )
    + ", changes TEXT",
    POINT: "stage_id INTEGER, kind TEXT, label TEXT, value TEXT, normalized TEXT, "
    + "is_primary BOOLEAN, "
    + ", ".join(f"{c} TEXT" for c in POINT_FIELDS),
    TAG: "stage_id INTEGER, name TEXT, tag_key TEXT",
    ROLE: "stage_id INTEGER, role TEXT, since DATE, until DATE",
    DATE: "stage_id INTEGER, kind TEXT, label TEXT, year INTEGER, month INTEGER, day INTEGER",
    UPDATE: "id INTEGER PRIMARY KEY, party_id BIGINT, state TEXT, before TEXT, changes TEXT",
    IDS: "stage_id INTEGER PRIMARY KEY, live_id BIGINT",
}


KEY = '"key"'  # the Tag column, quoted alike by SQLite and PostgreSQL


def _json(expression: str) -> str:
    """A JSON column's value from staged text (PostgreSQL's jsonb needs the cast)."""
    return f"CAST({expression} AS jsonb)" if connection.vendor == "postgresql" else expression


def _table(model: type[Any]) -> str:
    return str(connection.ops.quote_name(model._meta.db_table))


@dataclass
class PartiesUndo:
    """How to take back published slices: the parties made (ranges of ids, after → last),
    the updated parties as they were, and the change-log lines written for them."""

    created: list[tuple[int, int]] = field(default_factory=list)
    updated: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    changes: list[tuple[int, int]] = field(default_factory=list)

    def add(self, other: PartiesUndo) -> None:
        self.created += other.created
        self.updated += other.updated
        self.changes += other.changes

    def as_record(self) -> dict[str, Any]:
        return {
            "kind": KIND,
            "created": [list(r) for r in self.created],
            "updated": [[pk, state] for pk, state in self.updated],
            "changes": [list(r) for r in self.changes],
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> PartiesUndo:
        return cls(
            created=[(a, b) for a, b in record.get("created", [])],
            updated=[(pk, state) for pk, state in record.get("updated", [])],
            changes=[(a, b) for a, b in record.get("changes", [])],
        )


class StagedParties:
    """New parties and updates staged in TEMP tables, then published a slice at a time."""

    def __init__(self, *, by: User) -> None:
        self.by = by
        self.now = timezone.now()
        self.is_sqlite = connection.vendor == "sqlite"
        self.staged = 0
        self.updates = 0
        # Each folded tag name and the first spelling the file gave it (parties.services.tags).
        self._tags: dict[str, str] = {}
        with connection.cursor() as cursor:
            for name, columns in _TABLES.items():
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
                cursor.execute(f"CREATE TEMP TABLE {name} ({columns})")
            for name in (POINT, TAG, ROLE, DATE):
                cursor.execute(f"CREATE INDEX {name}_stage ON {name} (stage_id)")

    def close(self) -> None:
        with connection.cursor() as cursor:
            for name in _TABLES:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")

    # -- staging ------------------------------------------------------------------------------

    def stage_new(self, parties: Sequence[NewParty]) -> None:
        """Stage checked new parties (their stage ids follow one another, from 1)."""
        rows, points, tags, roles, dates = [], [], [], [], []
        for party in parties:
            self.staged += 1
            sid = self.staged
            s = party.scalars
            rows.append(
                (
                    *(sid, party.kind, s["given_name"], s["family_name"], s["organization_name"]),
                    *(party.display_name, party.search_text, party.name_key, s["external_id"]),
                    *(s["language"], s["timezone"], party.owner_id, party.team_id),
                    *(s["organization_level"], json.dumps(party.custom), s["notes"]),
                    party.changes,
                )
            )
            points += [(sid, *(p[c] for c in _POINT_COLUMNS)) for p in party.points]
            for name in party.tags:
                key = tag_key(name)
                tags.append((sid, self._tags.setdefault(key, name), key))
            roles += [(sid, *r) for r in party.roles]
            dates += [(sid, *d) for d in party.key_dates]
        with connection.cursor() as cursor, self._staging(cursor):
            for table, values in ((PARTY, rows), (POINT, points), (TAG, tags)):
                self._insert(cursor, table, values)
            for table, values in ((ROLE, roles), (DATE, dates)):
                self._insert(cursor, table, values)

    @contextlib.contextmanager
    def _staging(self, cursor: Any) -> Iterator[None]:
        """One SQLite transaction around a chunk's inserts into the TEMP tables, begun by a
        savepoint (deferred: writing only TEMP tables, it never takes the database's write
        lock); without it each row would be a transaction of its own."""
        if not self.is_sqlite or connection.in_atomic_block:
            yield
            return
        cursor.execute("SAVEPOINT clientela_stage")
        try:
            yield
        except BaseException:
            cursor.execute("ROLLBACK TO clientela_stage")
            cursor.execute("RELEASE clientela_stage")
            raise
        cursor.execute("RELEASE clientela_stage")

    def stage_update(
        self,
        party_id: int,
        state: dict[str, Any],
        before: dict[str, Any],
        changes: dict[str, Any],
    ) -> None:
        """Stage the update of a stored party: the changed fields' new and old values
        (PartyUpdate-shaped, as services.updates.apply_state takes them) and its change-log
        line."""
        self.updates += 1
        with connection.cursor() as cursor:
            self._insert(
                cursor,
                UPDATE,
                [(self.updates, party_id, _dump(state), _dump(before), _dump(changes))],
            )

    def _insert(self, cursor: Any, table: str, values: list[tuple[Any, ...]]) -> None:
        if values:
            marks = ", ".join(["%s"] * len(values[0]))
            cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", values)  # noqa: S608  (names are constants)

    # -- publishing ---------------------------------------------------------------------------

    def publish_slice(
        self, after: tuple[int, int], rows: int
    ) -> tuple[tuple[int, int], PartiesUndo] | None:
        """Publish up to `rows` staged rows after `after` (new, updates), in the caller's
        transaction; the position reached and how to take the slice back, or None when done."""
        new_after, upd_after = after
        undo = PartiesUndo()
        with connection.cursor() as cursor:
            if new_after < self.staged:
                last = min(self.staged, new_after + rows)
                undo.created.append(self._publish_new(cursor, new_after, last))
                return (last, upd_after), undo
            if upd_after < self.updates:
                last = min(self.updates, upd_after + rows)
                before = _max_id(cursor, PartyChange)
                undo.updated = self._publish_updates(cursor, upd_after, last)
                undo.changes.append((before, _max_id(cursor, PartyChange)))
                return (new_after, last), undo
        return None

    def _publish_new(self, cursor: Any, after: int, last: int) -> tuple[int, int]:
        self._assign_ids(cursor, after, last)
        where = f"s.stage_id > {int(after)} AND s.stage_id <= {int(last)}"
        now = connection.ops.adapt_datetimefield_value(self.now)
        parties = _table(Party)
        columns = ", ".join(_PARTY_COLUMNS)
        picked = ", ".join(_json("p.custom") if c == "custom" else f"p.{c}" for c in _PARTY_COLUMNS)
        cursor.execute(
            f"INSERT INTO {parties} (id, {columns}, archived_at, created_at, updated_at, "  # noqa: S608  (names are constants)
            f"created_by_id) SELECT s.live_id, {picked}, NULL, %s, %s, %s FROM {IDS} s "
            f"JOIN {PARTY} p ON p.id = s.stage_id WHERE {where} ORDER BY s.live_id",
            [now, now, self.by.pk],
        )
        children: tuple[tuple[str, type[Any], tuple[str, ...]], ...] = (
            (POINT, ContactPoint, _POINT_COLUMNS),
            (ROLE, PartyRole, ("role", "since", "until")),
            (DATE, KeyDate, ("kind", "label", "year", "month", "day")),
        )
        for table, model, names in children:
            listed = ", ".join(names)
            picked = ", ".join(f"c.{c}" for c in names)
            cursor.execute(
                f"INSERT INTO {_table(model)} (party_id, {listed}) SELECT s.live_id, {picked} "  # noqa: S608  (names are constants)
                f"FROM {table} c JOIN {IDS} s ON s.stage_id = c.stage_id WHERE {where}"
            )
        # A tag is found by its folded key; one the database lacks is written as the file
        # first spelled it (staged so: one spelling per key).
        tags, links = _table(Tag), _table(Party.tags.through)
        cursor.execute(
            f"INSERT INTO {tags} (name, {KEY}) SELECT DISTINCT c.name, c.tag_key FROM {TAG} c "  # noqa: S608  (names are constants)
            f"JOIN {IDS} s ON s.stage_id = c.stage_id WHERE {where} "
            f"AND NOT EXISTS (SELECT 1 FROM {tags} t WHERE t.{KEY} = c.tag_key)"
        )
        cursor.execute(
            f"INSERT INTO {links} (party_id, tag_id) SELECT DISTINCT s.live_id, t.id FROM {TAG} c "  # noqa: S608  (names are constants)
            f"JOIN {IDS} s ON s.stage_id = c.stage_id JOIN {tags} t ON t.{KEY} = c.tag_key "
            f"WHERE {where}"
        )
        record_changes(
            "SELECT s.live_id AS party_id, 'created' AS action, p.changes AS changes "  # noqa: S608  (names are constants)
            f"FROM {IDS} s JOIN {PARTY} p ON p.id = s.stage_id WHERE {where}",
            actor=self.by,
            at=self.now,
        )
        cursor.execute(f"SELECT MIN(live_id), MAX(live_id) FROM {IDS} s WHERE {where}")  # noqa: S608  (names are constants)
        first, end = cursor.fetchone()
        return int(first) - 1, int(end)

    def _assign_ids(self, cursor: Any, after: int, last: int) -> None:
        """Ids for the staged parties (after, last]: the next ones after the table's highest
        (SQLite: the caller holds the write lock), or the sequence's (PostgreSQL)."""
        if self.is_sqlite:
            cursor.execute(
                f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {_table(Party)}), 0), COALESCE(("  # noqa: S608  (names are constants)
                "SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
                [Party._meta.db_table],
            )
            base = int(cursor.fetchone()[0]) - after
            cursor.execute(
                f"INSERT INTO {IDS} SELECT id, id + %s FROM {PARTY} WHERE id > %s AND id <= %s",  # noqa: S608  (names are constants)
                [base, after, last],
            )
            return
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Party._meta.db_table, last - after],
        )
        ids = [row[0] for row in cursor.fetchall()]
        cursor.executemany(
            f"INSERT INTO {IDS} VALUES (%s, %s)",  # noqa: S608  (names are constants)
            list(zip(range(after + 1, last + 1), ids, strict=True)),
        )

    def _publish_updates(
        self, cursor: Any, after: int, last: int
    ) -> list[tuple[int, dict[str, Any]]]:
        cursor.execute(
            f"SELECT party_id, state, before, changes FROM {UPDATE} WHERE id > %s AND id <= %s "  # noqa: S608  (names are constants)
            "ORDER BY id",
            [after, last],
        )
        befores: list[tuple[int, dict[str, Any]]] = []
        states: list[tuple[int, dict[str, Any]]] = []
        lines: list[tuple[int, str, str]] = []
        for party_id, state, before, changes in cursor.fetchall():
            states.append((party_id, json.loads(state)))
            befores.append((party_id, json.loads(before)))
            lines.append((party_id, "updated", changes))
        apply_states(states)
        record_changes(lines, actor=self.by, at=self.now)
        return befores


def undo_parties(undo: PartiesUndo) -> None:
    """Take back published slices, in the caller's transaction: the updated parties get their
    state back, the change-log lines written for them go, and the parties made are deleted
    with every row of theirs."""
    apply_states(list(reversed(undo.updated)))
    with connection.cursor() as cursor:
        for after, last in undo.changes:
            cursor.execute(
                f"DELETE FROM {_table(PartyChange)} WHERE id > %s AND id <= %s",  # noqa: S608  (names are constants)
                [after, last],
            )
        for after, last in undo.created:
            _delete_parties(cursor, after, last)


def _delete_parties(cursor: Any, after: int, last: int) -> None:
    dependants = (
        (ContactPoint, "party_id"),
        (PartyRole, "party_id"),
        (KeyDate, "party_id"),
        (PartyChange, "party_id"),
        (PartyAlias, "party_id"),
        (Affiliation, "person_id"),
        (Affiliation, "organization_id"),
        (Party.tags.through, "party_id"),
    )
    for model, column in dependants:
        cursor.execute(
            f"DELETE FROM {_table(model)} WHERE {column} > %s AND {column} <= %s",  # noqa: S608  (names are constants)
            [after, last],
        )
    cursor.execute(
        f"DELETE FROM {_table(Party)} WHERE id > %s AND id <= %s",  # noqa: S608  (names are constants)
        [after, last],
    )


def _max_id(cursor: Any, model: type[Any]) -> int:
    cursor.execute(f"SELECT MAX(id) FROM {_table(model)}")  # noqa: S608  (names are constants)
    return int(cursor.fetchone()[0] or 0)


def _dump(value: Any) -> str:
    return json.dumps(value, default=str)
