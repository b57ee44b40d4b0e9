"""What every kind of import shares: row problems, outcomes, cell values, party look-ups."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from clientela.core.cells import restore
from clientela.core.errors import FieldError, Problem
from clientela.core.ids import is_id
from clientela.core.validation import PYDANTIC_MESSAGES
from clientela.imports.services.formats import apply_formats
from clientela.imports.services.mapping import Mapping

# RowProblem and short are named from here by every kind of import.
from clientela.imports.services.problems import RowProblem as RowProblem
from clientela.imports.services.problems import short as short
from clientela.imports.services.reading import SourceRow
from clientela.parties.models import ContactKind, ContactPoint, Party
from clientela.parties.queries import external_ids_of, parties_by_external_id
from clientela.parties.services.identity import normalize_email, normalize_phone

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
REJECTED = "rejected"
SKIPPED = "skipped"  # kept out on purpose (an erased person, say): reported, not refused
LOOKUP_CHUNK = 500
# Up to this many visible parties, their external ids and e-mails are loaded at once.
PRELOAD_LIMIT = 2_000_000


@dataclass
class Outcome:
    """What happened to one row; `notes` are reported without refusing it (why it was
    skipped, what of it was not imported)."""

    row: SourceRow
    result: str
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[RowProblem] = field(default_factory=list)


@dataclass
class BatchResult:
    """The counts of a batch of rows, the rows refused with their reasons, and the notes."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Outcome] = field(default_factory=list)
    skipped: int = 0
    notes: list[RowProblem] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.notes.extend(outcome.notes)
        if outcome.result == CREATED:
            self.created += 1
        elif outcome.result == UPDATED:
            self.updated += 1
        elif outcome.result == UNCHANGED:
            self.unchanged += 1
        elif outcome.result == SKIPPED:
            self.skipped += 1
        else:
            self.rejected.append(outcome)

    def reject(self, row: SourceRow, problems: list[RowProblem]) -> None:
        self.rejected.append(Outcome(row, REJECTED, problems))


def read_problems(row: SourceRow) -> list[RowProblem]:
    """The problems found while reading the row, as RowProblems."""
    return [RowProblem.read(row.row, p) for p in row.problems]


class RowRefused(Exception):
    """A row is refused, for these reasons: raised inside a row's savepoint to undo it."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__("row refused")
        self.problems = problems


class RowSkipped(Exception):
    """A row is kept out on purpose, for these reasons: reported, neither written nor refused
    (it goes to no rejects file: importing it again would change nothing)."""

    def __init__(self, notes: list[RowProblem]) -> None:
        super().__init__("row skipped")
        self.notes = notes


def row_values(row: SourceRow, mapping: Mapping) -> tuple[dict[str, Any], list[RowProblem]]:
    """The row as {field: value}; empty cells are left out, formula quotes come off."""
    problems: list[RowProblem] = []
    values: dict[str, Any] = {}
    if row.record is not None:
        for column, target in zip(mapping.columns, mapping.targets, strict=True):
            if target is None or column not in row.record:
                continue
            value = row.record[column]
            if isinstance(value, str):
                value = value.strip()
            if value is None or value == "":
                continue
            values[target] = value
        if mapping.formats is not None:
            problems += _formatted(values, mapping, row.row)
        return values, problems
    cells = row.cells or []
    width = len(mapping.columns)
    if len(cells) > width and any(c.strip() for c in cells[width:]):
        problems.append(
            RowProblem(
                row.row,
                "",
                short(cells[width]),
                _("has %(cells)s cells but the header has %(columns)s columns"),
                code="too_many_cells",
                params={"cells": len(cells), "columns": width},
            )
        )
    for target, cell in zip(mapping.targets, cells, strict=False):
        if target is None:
            continue
        cell = cell.strip()
        if cell:
            values[target] = restore(cell)
    if mapping.formats is not None:
        problems += _formatted(values, mapping, row.row)
    return values, problems


def _formatted(values: dict[str, Any], mapping: Mapping, row: int) -> list[RowProblem]:
    """Read the row's dates, times and amounts as the file writes them (formats.py)."""
    assert mapping.formats is not None  # noqa: S101  (the caller checked; for mypy)
    column_of = {t: c for c, t in zip(mapping.columns, mapping.targets, strict=True) if t}
    return apply_formats(values, mapping.formats, column_of, row)


def beside(problems: list[RowProblem], more: list[RowProblem]) -> list[RowProblem]:
    """`more` problems of a row but those about a column already named: a cell the file's
    format could not read is not also refused by the field's own rule."""
    named = {p.column for p in problems if p.column}
    return [p for p in more if not p.column or p.column not in named]


def problems_from(
    row: int, errors: Iterable[FieldError], column_of: dict[str, str], default: str = ""
) -> list[RowProblem]:
    """RowProblems for FieldErrors, naming the file's column where one is known."""
    result = []
    for error in errors:
        parts = error.field.split(".")
        column = next(
            (
                column_of[".".join(parts[:size])]
                for size in range(len(parts), 0, -1)
                if ".".join(parts[:size]) in column_of
            ),
            None,
        )
        if column is None:
            column = default if error.field in {"body", ""} else error.field
        result.append(
            RowProblem(
                row,
                column,
                short(error.value),
                error.message,
                code=error.code,
                params=error.params,
            )
        )
    return result


class PartyFinder:
    """Finds the party an order or interaction belongs to, among those the user may see.

    By external id (its own or an alias: parties.queries.parties_by_external_id), by e-mail
    (as normalised) or by Clientela id; several given must agree.
    Look-ups are made a batch at a time and remembered.
    """

    def __init__(self, visible: QuerySet[Party]) -> None:
        self.visible = visible
        self.by_ref: dict[str, int | None] = {}
        self.by_email: dict[str, int | Problem | None] = {}
        self.by_phone: dict[str, int | Problem | None] = {}
        self.by_id: dict[int, int | None] = {}
        self.has_all_refs = False
        self.has_all_emails = False

    def preload(self, *, emails: bool) -> None:
        """Load every visible party's external id (and e-mails) at once, when they are few
        enough to keep in memory; otherwise they are looked up a batch at a time."""
        if self.visible.count() > PRELOAD_LIMIT:
            return
        for ref, pk in external_ids_of(self.visible):
            self.by_ref.setdefault(str(ref), pk)
        self.has_all_refs = True
        if emails:
            owners: dict[str, set[int]] = {}
            points = ContactPoint.objects.filter(
                kind=ContactKind.EMAIL, party__in=self.visible
            ).values_list("normalized", "party_id")
            for normalized, party_id in points.iterator(chunk_size=20_000):
                owners.setdefault(normalized, set()).add(party_id)
            for key, found in owners.items():
                self.by_email[key] = self._one_owner(found)
            self.has_all_emails = True

    def prefetch(self, refs: set[str], emails: set[str], ids: set[int]) -> None:
        refs = set() if self.has_all_refs else {r for r in refs if r not in self.by_ref}
        found = parties_by_external_id(self.visible, refs)
        for ref in refs:
            self.by_ref[ref] = found.get(ref)
        keys = set() if self.has_all_emails else {e.lower() for e in emails} - self.by_email.keys()
        for chunk in _chunks(sorted(keys)):
            self._load_emails(chunk)
        wanted = {i for i in ids if i not in self.by_id}
        for chunk in _chunks(sorted(wanted)):
            found_ids = set(self.visible.filter(pk__in=chunk).values_list("pk", flat=True))
            for pk in chunk:
                self.by_id[pk] = pk if pk in found_ids else None

    def _load_emails(self, keys: list[str]) -> None:
        points = ContactPoint.objects.filter(
            kind=ContactKind.EMAIL, normalized__in=keys, party__in=self.visible
        ).values_list("normalized", "party_id")
        owners: dict[str, set[int]] = {}
        for normalized, party_id in points:
            owners.setdefault(normalized, set()).add(party_id)
        for key in keys:
            self.by_email[key] = self._one_owner(owners.get(key, set()))

    @staticmethod
    def _one_owner(found: set[int]) -> int | Problem | None:
        if len(found) > 1:
            return Problem(
                "email_of_several_parties",
                _("belongs to several parties (%(parties)s)"),
                parties=", ".join(f"#{pk}" for pk in sorted(found)),
            )
        return next(iter(found), None)

    def email_party(self, raw: str) -> int | Problem:
        """The party id for an e-mail, or the problem that there is none."""
        key = raw.strip().lower()
        if key not in self.by_email and not self.has_all_emails:
            self.prefetch(set(), {key}, set())
        found = self.by_email.get(key)
        if found is None and key.isascii():
            try:
                normal = normalize_email(raw)
            except Problem as exc:
                return exc
            if normal != key:
                self.prefetch(set(), {normal}, set())
                found = self.by_email.get(normal)
        if found is None:
            return Problem("party_email_not_visible", _("is not the e-mail of a party you can see"))
        return found

    def phone_party(self, raw: str) -> int | Problem:
        """The party id for a phone number (as normalised, E.164), or the problem that there
        is none."""
        try:
            key = normalize_phone(raw)
        except Problem as exc:
            return exc
        if key not in self.by_phone:
            points = ContactPoint.objects.filter(
                kind=ContactKind.PHONE, normalized=key, party__in=self.visible
            ).values_list("party_id", flat=True)
            owners = set(points)
            self.by_phone[key] = next(iter(owners), None)
            if len(owners) > 1:
                self.by_phone[key] = Problem(
                    "phone_of_several_parties",
                    _("belongs to several parties (%(parties)s)"),
                    parties=", ".join(f"#{pk}" for pk in sorted(owners)),
                )
        found = self.by_phone[key]
        if found is None:
            return Problem("party_phone_not_visible", _("is not the phone of a party you can see"))
        return found

    def resolve(
        self, refs: dict[str, Any], column_of: dict[str, str], row: int
    ) -> tuple[int | None, list[RowProblem]]:
        """The one party the row's references point at, or the problems."""
        found: dict[str, int] = {}
        problems: list[RowProblem] = []
        for target, value in refs.items():
            column = column_of.get(target, target)
            if target == "party_external_id":
                known = value in self.by_ref or self.has_all_refs
                pk = self.by_ref.get(value) if known else self._one_ref(value)
                result: int | Problem = NOT_VISIBLE if pk is None else pk
            elif target == "party_email":
                result = self.email_party(value)
            elif target == "party_phone":
                result = self.phone_party(value)
            elif target == "party_id":
                result = self._party_id(value)
            else:
                continue
            if isinstance(result, Problem):
                problems.append(_problem(row, column, value, result))
            else:
                found[target] = result
        if problems:
            return None, problems
        if not found:
            return None, [
                RowProblem(
                    row,
                    "",
                    "",
                    _("names no party: give party_external_id or party_email"),
                    code="party_missing",
                )
            ]
        if len(set(found.values())) > 1:
            described = ", ".join(f"{column_of.get(t, t)} → #{pk}" for t, pk in found.items())
            return None, [
                RowProblem(
                    row,
                    "",
                    "",
                    _("points at different parties (%(parties)s)"),
                    code="parties_disagree",
                    params={"parties": described},
                )
            ]
        return next(iter(found.values())), []

    def _one_ref(self, value: str) -> int | None:
        self.prefetch({value}, set(), set())
        return self.by_ref.get(value)

    def _party_id(self, value: Any) -> int | Problem:
        try:
            pk = int(str(value))
        except ValueError:
            return Problem("int_parsing", PYDANTIC_MESSAGES["int_parsing"])
        if not is_id(pk):  # 2**63 would overflow the look-up's SQL
            return NOT_VISIBLE
        if pk not in self.by_id:
            self.prefetch(set(), set(), {pk})
        found = self.by_id.get(pk)
        return NOT_VISIBLE if found is None else found


# The schemas need a party id; an import finds the party itself (PartyFinder), so a row whose
# party is not found yet is checked with this stand-in, and never written with it.
STAND_IN_PARTY = 1
NOT_VISIBLE = Problem("party_not_visible", _("is not a party you can see"))


def _problem(row: int, column: str, value: Any, problem: Problem) -> RowProblem:
    return RowProblem(
        row, column, short(value), problem.message, code=problem.code, params=problem.params
    )


def _chunks(items: list[Any], size: int = LOOKUP_CHUNK) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
