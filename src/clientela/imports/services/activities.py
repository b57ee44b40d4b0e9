"""Importing activities: each row is checked by ActivityCreate and planned by the activities'
own service.

The party is found by external id, e-mail or Clientela id among those the user may see; the
assignee by e-mail (empty: the importing user). An activity without an external id gets one
made from its content, so importing the same file twice does not plan it twice.

On SQLite the rows are written in slices as they are checked (core.database.Slices, each slice
with the ids it planned as its journal: activities.bulk.ActivityUndo), like orders and
interactions; a dry run there, or the rest of a file after a refused row, is only checked: each
row is planned in a transaction of its own that is rolled back.
"""

from __future__ import annotations

import contextlib
import hashlib
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from clientela.accounts.models import User
from clientela.activities.bulk import ActivityUndo, take_back
from clientela.activities.schemas import ActivityCreate
from clientela.activities.services import create_activity
from clientela.core.database import Slices
from clientela.core.errors import DomainError, FieldError
from clientela.core.validation import field_errors
from clientela.imports.services.mapping import Mapping
from clientela.imports.services.reading import SourceRow
from clientela.imports.services.rows import (
    CREATED,
    REJECTED,
    STAND_IN_PARTY,
    UNCHANGED,
    BatchResult,
    Outcome,
    PartyFinder,
    RowProblem,
    problems_from,
    read_problems,
    row_values,
)

PARTY_REFS = ("party_external_id", "party_email", "party_id")
FIELDS = (
    "kind",
    "title",
    "notes",
    "due_date",
    "due_time",
    "time_zone",
    "duration_minutes",
    "priority",
    "repeat_unit",
    "repeat_every",
    "external_id",
)


def content_id(party_id: int, values: dict[str, Any]) -> str:
    """An external id made from what the activity says, for files that have none."""
    parts = [str(party_id)] + [str(values.get(k, "")) for k in (*FIELDS[:-1], "assignee_email")]
    return "import:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


class _CheckedOnly(Exception):
    """Rolls back a row planned only to check it."""


class ActivityImporter:
    """Plans activities one row at a time, each row in its own savepoint (in a slice, when
    they go in slices)."""

    def __init__(
        self,
        mapping: Mapping,
        finder: PartyFinder,
        *,
        by: User,
        slices: Slices | None = None,
        check_only: bool = False,
    ) -> None:
        self.mapping = mapping
        self.finder = finder
        self.by = by
        self.slices = slices
        self.check_only = check_only
        self.undo = ActivityUndo()
        self.checked: set[str] = set()  # check_only: the external ids the file planned
        self.column_of = {t: c for c, t in zip(mapping.columns, mapping.targets, strict=True) if t}
        if "assignee_email" in self.column_of:  # the service names the user by id
            self.column_of["assignee_id"] = self.column_of["assignee_email"]
        self.users: dict[str, int | None] = {}

    def finish(self) -> BatchResult:
        """Nothing is left to write: each row is written as it is read."""
        return BatchResult()

    def stop_writing(self) -> None:
        """A row was refused and the import will write nothing: the rest of the file is only
        checked, and what was written is taken back by the caller."""
        if self.slices is None:
            return
        self.slices.end()
        self.slices = None
        self.check_only = True

    def take_undo(self) -> ActivityUndo:
        """How to take back what was written since the last call (a slice's journal)."""
        undo, self.undo = self.undo, ActivityUndo()
        return undo

    @staticmethod
    def take_back(undos: list[Any]) -> None:
        """Take back the slices written (each one's `take_undo`)."""
        undo = ActivityUndo()
        for part in undos:
            undo.add(part)
        take_back(undo)

    def _plan(self, schema: ActivityCreate) -> bool:
        """Plan the row's activity (or only check it); True when it is new."""
        if self.check_only:
            key = schema.external_id or ""
            if key in self.checked:  # planned by an earlier row of the file (rolled back)
                return False
            try:
                with transaction.atomic():
                    _activity, created = create_activity(schema, by=self.by)
                    raise _CheckedOnly
            except _CheckedOnly:
                self.checked.add(key)
                return created
        piece = contextlib.nullcontext() if self.slices is None else self.slices.write()
        refused: DomainError | None = None
        created = False
        with piece:  # a refused row must not leave it by an error: that rolls the slice back
            try:
                with transaction.atomic():
                    activity, created = create_activity(schema, by=self.by)
                if created:  # in the slice's journal, taken when the piece ends it
                    self.undo.ids.append(activity.pk)
            except DomainError as exc:
                refused = exc
        if refused is not None:
            raise refused
        return created

    def _assignee(self, email: str, line: int) -> tuple[int | None, list[RowProblem]]:
        key = email.strip().lower()
        if key not in self.users:
            found = User.objects.filter(email__iexact=key, is_active=True).values_list(
                "pk", flat=True
            )
            self.users[key] = next(iter(found), None)
        if self.users[key] is None:
            error = FieldError(
                "assignee_email",
                email,
                _("is not the e-mail of an active user"),
                code="activity_assignee_unknown",
            )
            return None, problems_from(line, [error], self.column_of)
        return self.users[key], []

    def process(self, rows: list[SourceRow]) -> BatchResult:
        outcomes: list[Outcome] = []
        for row in rows:
            outcome = Outcome(row, REJECTED)
            outcomes.append(outcome)
            if row.problems:
                outcome.problems = read_problems(row)
                continue
            values, problems = row_values(row, self.mapping)
            refs = {t: values[t] for t in PARTY_REFS if t in values}
            party_id, party_problems = self.finder.resolve(refs, self.column_of, row.row)
            data = {k: values[k] for k in FIELDS if k in values}
            data["party_id"] = party_id or STAND_IN_PARTY
            data["source_kind"] = "import"
            if "assignee_email" in values:
                assignee_id, assignee_problems = self._assignee(
                    str(values["assignee_email"]), row.row
                )
                problems += assignee_problems
                data["assignee_id"] = assignee_id
            try:
                schema = ActivityCreate.model_validate(data)
            except ValidationError as exc:
                problems += problems_from(row.row, field_errors(exc), self.column_of)
                schema = None
            problems += party_problems
            if problems or schema is None:
                outcome.problems = problems
                continue
            if not schema.external_id:
                schema.external_id = content_id(schema.party_id, values)
            try:
                created = self._plan(schema)
            except DomainError as exc:
                errors = exc.errors or [
                    FieldError(
                        "external_id",
                        schema.external_id,
                        exc.message,
                        code=exc.code,
                        params=exc.params,
                    )
                ]
                outcome.problems = problems_from(row.row, errors, self.column_of)
                continue
            outcome.result = CREATED if created else UNCHANGED
        result = BatchResult()
        for outcome in outcomes:
            result.add(outcome)
        return result
