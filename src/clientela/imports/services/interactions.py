"""Importing interactions: each row is checked by InteractionCreate and logged on the timeline.

The party is found by external id, e-mail or Clientela id among those the user may see. An
interaction without an external id gets one made from its content, so importing the same file
twice does not log it twice.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from pydantic import ValidationError

from clientela.accounts.models import User
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
    beside,
    problems_from,
    read_problems,
    row_values,
)
from clientela.interactions.schemas import InteractionCreate
from clientela.interactions.services import log_interaction

PARTY_REFS = ("party_external_id", "party_email", "party_id")
FIELDS = ("channel", "direction", "occurred_at", "subject", "notes", "outcome", "external_id")


def content_id(party_id: int, values: dict[str, Any]) -> str:
    """An external id made from what the interaction says, for files that have none."""
    parts = [str(party_id)] + [str(values.get(k, "")) for k in FIELDS[:-1]]
    return "import:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


class InteractionImporter:
    """Logs interactions one row at a time, each row in its own savepoint."""

    def __init__(self, mapping: Mapping, finder: PartyFinder, *, by: User) -> None:
        self.mapping = mapping
        self.finder = finder
        self.by = by
        self.column_of = {t: c for c, t in zip(mapping.columns, mapping.targets, strict=True) if t}

    def finish(self) -> BatchResult:
        """Nothing is left to write: each row is written as it is read."""
        return BatchResult()

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
            try:
                schema = InteractionCreate.model_validate(data)
            except ValidationError as exc:
                problems += beside(
                    problems, problems_from(row.row, field_errors(exc), self.column_of)
                )
                schema = None
            problems += party_problems
            if problems or schema is None:
                outcome.problems = problems
                continue
            if not schema.external_id:
                schema.external_id = content_id(schema.party_id, values)
            try:
                with transaction.atomic():
                    _interaction, created = log_interaction(schema, by=self.by)
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
