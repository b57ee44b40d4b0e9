"""The withdrawals of a parties file, staged while it is checked and recorded only once it is
final (publishing.publish_parties).

Consent records are proof and only ever appended to (database triggers refuse to change or
delete them), so a take-back must never meet one. The withdrawals a file asks for are therefore
staged in a TEMP table of the import's connection as its rows are checked (the party by its
stage id when the file makes it, by its id when it is stored), and recorded only after every
party of the file is published:

1. the parties are published in slices, each with its journal (takeable back);
2. the staged withdrawals are written to the run's journal (`PublishedSlice` records of kind
   "consent", chunks of `CHUNK`, each the party ids, purposes, channels and rows, with the
   file's name and hash and the importing user: all the proof needs), still takeable back;
3. one short transaction deletes the journal of the parties' slices and marks the run's journal
   final (a record of kind "consent-final"): from then on nothing of the import is taken back;
4. each consent chunk is recorded (consent.bulk.record_withdrawals) and its journal record
   deleted, in one transaction per chunk.

A run whose process ends (a kill) before 3 is taken back whole (its consent chunks are only
journal rows, deleted with it); one that ends after 3 is finished instead: the settling records
its remaining chunks (publishing.finish_consent), then drops the mark. Without a run to journal
on (tests, benchmarks) or on PostgreSQL (one transaction for the whole publishing) the chunks go
from the TEMP table to the consent records directly, after the parties.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection

from clientela.accounts.models import User
from clientela.consent.bulk import Withdrawal, record_withdrawals
from clientela.consent.models import ConsentSource
from clientela.consent.services import store_wording
from clientela.imports.services.party_consent import (
    IMPORTED_WITHDRAWAL,
    WORDING_VERSION,
    ImportedFile,
    Pair,
    Wish,
    grant_note,
    proof_note,
)
from clientela.imports.services.rows import UNCHANGED, UPDATED, RowProblem
from clientela.parties.bulk import IDS

KIND = "consent"
FINAL = "consent-final"  # the journal's mark of an import past its point of no return
TABLE = "clientela_stage_consent"
CHUNK = 5_000  # withdrawals per journal record, and per transaction when they are recorded

# A staged withdrawal: (stage id of a party the file makes, or None; id of a stored party, or
# None; purpose; channel; row of the file).
Staged = tuple[int | None, int | None, str, str, int]


class StagedConsent:
    """The withdrawals of a file, staged in a TEMP table until the file's parties are
    published."""

    def __init__(self, source: ImportedFile, *, by: User) -> None:
        self.source = source
        self.by = by
        self.count = 0
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
            cursor.execute(
                f"CREATE TEMP TABLE {TABLE} (id INTEGER PRIMARY KEY, stage_id INTEGER, "
                "party_id BIGINT, purpose TEXT, channel TEXT, line INTEGER)"
            )

    def close(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def stage(self, rows: Sequence[Staged]) -> None:
        if not rows:
            return
        numbered = [(self.count + n + 1, *row) for n, row in enumerate(rows)]
        self.count += len(rows)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {TABLE} VALUES (%s, %s, %s, %s, %s, %s)",  # noqa: S608  (a constant table name)
                numbered,
            )

    def chunks(self) -> Iterator[dict[str, Any]]:
        """The staged withdrawals, their parties published, as journal records of CHUNK."""
        after = 0
        while after < self.count:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT c.id, COALESCE(c.party_id, s.live_id), c.purpose, c.channel, c.line "  # noqa: S608  (constant table names)
                    f"FROM {TABLE} c LEFT JOIN {IDS} s ON s.stage_id = c.stage_id "
                    "WHERE c.id > %s AND c.id <= %s ORDER BY c.id",
                    [after, after + CHUNK],
                )
                rows = cursor.fetchall()
            after += CHUNK
            yield self.record([(int(pk), p, c, int(line)) for _id, pk, p, c, line in rows])

    def record(self, withdrawals: list[tuple[int, str, str, int]]) -> dict[str, Any]:
        """A chunk as the journal keeps it: everything its records' proof needs."""
        return {
            "kind": KIND,
            "actor": self.by.pk,
            "file": self.source.name,
            "sha256": self.source.sha256,
            "withdrawals": [list(w) for w in withdrawals],
        }


def record_chunk(chunk: dict[str, Any]) -> int:
    """Record one journal chunk's withdrawals (in the caller's transaction): source import,
    the importing user as actor, the imported-withdrawal wording, the file and row in the
    note. Returns how many records were made (those already in force are not repeated)."""
    wording = store_wording(IMPORTED_WITHDRAWAL, version=WORDING_VERSION, language="en")
    actor = User.objects.filter(pk=int(chunk.get("actor") or 0)).first()
    name, sha256 = str(chunk.get("file", "-")), str(chunk.get("sha256", "unknown"))
    wanted = [
        Withdrawal(int(pk), str(purpose), str(channel), proof_note(name, sha256, int(line)))
        for pk, purpose, channel, line in chunk.get("withdrawals", [])
    ]
    return record_withdrawals(wanted, source=ConsentSource.IMPORT, wording=wording, actor=actor)


def row_withdrawals(
    row: int,
    named: tuple[str, int | None, int],
    wishes: list[Wish],
    in_force: set[tuple[int, str, str]],
    withdrawals: list[Staged],
) -> tuple[str, list[RowProblem]]:
    """A checked row's consent cells: its yeses noted, its noes added to `withdrawals` (those
    not in force for the stored party it names; all of them for a party it makes). `named`:
    the row's result, the stored party (None for a new one) and the new party's stage id.
    Returns the row's result, updated when a no is news, and its notes."""
    result, pk, stage_id = named
    notes = [grant_note(wish, row) for wish in wishes if wish.granted]
    pairs = [pair for wish in wishes if not wish.granted for pair in wish.pairs]
    if not pairs:
        return result, notes
    if pk is None:
        withdrawals += staged_pairs(stage_id, None, pairs, row)
        return result, notes
    staged = [s for s in staged_pairs(None, pk, pairs, row) if (pk, s[2], s[3]) not in in_force]
    withdrawals += staged
    return UPDATED if staged and result == UNCHANGED else result, notes


def staged_pairs(
    stage_id: int | None, party_id: int | None, pairs: Sequence[Pair], row: int
) -> list[Staged]:
    """The staged rows of one row's withdrawals (each pair once)."""
    unique = dict.fromkeys(pairs)
    return [(stage_id, party_id, purpose, channel, row) for purpose, channel in unique]
