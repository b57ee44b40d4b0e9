"""Consent columns of a parties file: a "no" is imported as a fact, with its proof; a "yes" is
reported on its row and not imported.

A file cannot prove that a person agreed to anything: it does not hold the words they saw,
nor when and how they said yes, and whoever made it may have ticked the box for them. So a
grant is never imported; its row says why, and the person can say yes themself (a sign-up,
the preference centre). A withdrawal or an objection is different: it only ever stops
messages, so believing it can wrong nobody, and ignoring it could. It is recorded through
consent's own service (`record_consent`), source `import`, with its proof: the importing user
as actor, the file's name and SHA-256 and the row in the note, and a stored wording that says
what such a record is.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.consent.models import (
    CONSENT_PURPOSES,
    CONTACT_CHANNELS,
    CONTACT_PURPOSES,
    ConsentChannel,
    ConsentRecord,
    ConsentSource,
    ConsentStatus,
    ConsentWording,
    LegalBasis,
    Purpose,
)
from clientela.consent.services import current_consents, record_consent, store_wording
from clientela.imports.services.mapping import CONSENT_PREFIX, OPTED_OUT
from clientela.imports.services.rows import RowProblem, short
from clientela.parties.models import Party
from clientela.parties.services.identity import normalize_text

# The wording every imported withdrawal points at: what the record is, not what a person saw.
IMPORTED_WITHDRAWAL = (
    "Recorded from an imported file: the file says that this person refused or withdrew "
    "consent to this purpose on this channel. The record's note names the file and its "
    "SHA-256 hash and the row; the user who imported it is the record's actor."
)
WORDING_VERSION = "import-withdrawal-1"
YES = frozenset(
    "yes y true 1 granted given optin optedin subscribed accepted agreed consented sim si s x ja "
    "oui".split()
)
NO = frozenset(
    "no n false 0 withdrawn refused denied declined optout optedout unsubscribed nao non "
    "nein".split()
)
_NON_WORD = re.compile(r"[^a-z0-9]+")
Pair = tuple[str, str]  # (purpose, channel)


class ImportedFile:
    """The file being imported, named and hashed (once, when a record first needs it)."""

    def __init__(self, name: str, binary: IO[bytes] | None) -> None:
        self.name = name
        self.binary = binary

    @cached_property
    def sha256(self) -> str:
        """The SHA-256 of the file's bytes, read without moving where the import reads."""
        if self.binary is None:
            return "unknown"
        where = self.binary.tell()
        try:
            self.binary.seek(0)
            digest = hashlib.sha256()
            while block := self.binary.read(1 << 20):
                digest.update(block)
        finally:
            self.binary.seek(where)
        return digest.hexdigest()


@dataclass(frozen=True)
class Wish:
    """One consent cell of a row: yes or no to some purposes on some channels."""

    column: str
    value: str
    pairs: tuple[Pair, ...]
    granted: bool


def _channels(purpose: str) -> tuple[str, ...]:
    return (ConsentChannel.ANY,) if purpose == Purpose.PROFILING else CONTACT_CHANNELS


def _pairs(target: str) -> tuple[Pair, ...]:
    if target == OPTED_OUT:  # an objection: every direct-marketing purpose, every channel
        purposes = (*CONTACT_PURPOSES, Purpose.PROFILING)
        return tuple((p, c) for p in purposes for c in _channels(p))
    purpose, _dot, channel = target.removeprefix(CONSENT_PREFIX).partition(".")
    return ((purpose, channel),) if channel else tuple((purpose, c) for c in _channels(purpose))


def is_consent_target(target: str) -> bool:
    return target == OPTED_OUT or target.startswith(CONSENT_PREFIX)


def read_wishes(
    values: dict[str, Any], column_of: dict[str, str], row: int
) -> tuple[list[Wish], list[RowProblem]]:
    """The row's consent cells, and the problems of those that say neither yes nor no."""
    wishes: list[Wish] = []
    problems: list[RowProblem] = []
    for target, value in values.items():
        if not is_consent_target(target):
            continue
        column = column_of.get(target, target)
        word = _NON_WORD.sub("", normalize_text(str(value)))
        if not word:
            continue  # "-", "n/a"…: no answer
        if word not in YES | NO:
            problems.append(
                RowProblem(
                    row,
                    column,
                    short(value),
                    _("must say yes or no (also granted/withdrawn, opted in/out, true/false, 1/0)"),
                    code="consent_value_unknown",
                )
            )
            continue
        said_yes = word in YES
        if target == OPTED_OUT:
            if said_yes:  # "not opted out" says nothing either way
                wishes.append(Wish(column, str(value), _pairs(target), granted=False))
            continue
        if target.removeprefix(CONSENT_PREFIX).partition(".")[0] in CONSENT_PURPOSES:
            wishes.append(Wish(column, str(value), _pairs(target), granted=said_yes))
    return wishes, problems


def proof_note(name: str, sha256: str, row: int) -> str:
    """The note of an imported record: where it came from (the file, its hash, the row)."""
    name = name if len(name) <= 150 else "…" + name[-149:]
    return f"import of {name} (SHA-256 {sha256}), row {row}"


def grant_note(wish: Wish, row: int) -> RowProblem:
    """What a row is told of a yes it holds: not imported, and why."""
    return RowProblem(
        row,
        wish.column,
        short(wish.value),
        _(
            "a consent is not imported: a file is no proof of it (the words "
            "the person agreed to, when and how); ask them, by a sign-up or "
            "the preference centre"
        ),
        code="consent_grant_not_imported",
    )


class ConsentImporter:
    """Records a file's withdrawals with their proof, and notes the grants it cannot import."""

    def __init__(self, source: ImportedFile, *, by: User) -> None:
        self.source = source
        self.by = by
        self._wording: ConsentWording | None = None

    def wording(self) -> ConsentWording:
        if self._wording is None:
            self._wording = store_wording(
                IMPORTED_WITHDRAWAL, version=WORDING_VERSION, language="en"
            )
        return self._wording

    def note(self, row: int) -> str:
        """The proof of where the record came from: the file, its hash, the row."""
        return proof_note(self.source.name, self.source.sha256, row)

    def apply(self, party: Party, wishes: list[Wish], row: int) -> tuple[bool, list[RowProblem]]:
        """Record the row's withdrawals not yet in force; whether any was, and the notes."""
        notes: list[RowProblem] = []
        current: dict[Pair, ConsentRecord] | None = None
        written = False
        for wish in wishes:
            if wish.granted:
                notes.append(grant_note(wish, row))
                continue
            current = current_consents(party) if current is None else current
            for pair in wish.pairs:
                record = current.get(pair)
                if record is not None and record.status == ConsentStatus.WITHDRAWN:
                    continue  # already in force: importing the file again changes nothing
                current[pair] = record_consent(
                    party,
                    purpose=pair[0],
                    channel=pair[1],
                    status=ConsentStatus.WITHDRAWN,
                    source=ConsentSource.IMPORT,
                    legal_basis=record.legal_basis if record else LegalBasis.CONSENT,
                    wording=self.wording(),
                    actor=self.by,
                    note=self.note(row),
                )
                written = True
        return written, notes
