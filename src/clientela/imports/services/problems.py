"""What is wrong with a row: found while reading it (ReadProblem), or by a field's rule
(RowProblem).

Every problem carries a stable code, a message translatable where it is written, and the
parameters the message names. A kept problem (an import's record, a web import's rejects file)
holds the untranslated message and its parameters (`as_record`), so whoever reads it later sees
it in their own language (`from_record`, then `text()`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clientela.core.errors import FieldError, Text, render

# Why a row could not be read, by code. A read problem travels as (column, value, code) from
# the order import's reader process, so these messages name no parameter: the row's number
# and its text (the value) say where the problem is.
READ_MESSAGES: dict[str, Text] = {
    "bytes_not_in_encoding": _(
        "has bytes that are not in the file's encoding; give the file's encoding with "
        "--encoding, e.g. --encoding latin-1"
    ),
    "nul_character": _("contains a NUL character"),
    "quote_not_closed": _("a quoted cell is not closed: it runs to the end of the file"),
    "csv_unreadable": _("cannot be read as CSV"),
    "undecodable": _("cannot be decoded in the file's encoding"),
    "json_invalid": _("is not JSON (it stops making sense at character %(position)s)"),
    "json_unreadable": _("is JSON that cannot be read (a number too long, say)"),
    "json_not_object": _("must be a JSON object"),
}


@dataclass(frozen=True)
class ReadProblem:
    """Something wrong with a row before any field is looked at.

    `reason` is the problem's code, a key of READ_MESSAGES (plain text, so that a reader
    process can send it as it is).
    """

    column: str
    value: str
    reason: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def message(self) -> Text:
        return READ_MESSAGES.get(self.reason, self.reason)


@dataclass(frozen=True)
class RowProblem:
    """One reason a row was not imported: where, what it held, and why (a code, a message
    translatable where it was written, and the message's parameters)."""

    row: int
    column: str
    value: str
    reason: Text
    code: str = ""
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @classmethod
    def read(cls, row: int, problem: ReadProblem) -> RowProblem:
        """A problem found while reading the row."""
        return cls(
            row,
            problem.column,
            problem.value,
            problem.message,
            code=problem.reason,
            params=problem.params,
        )

    def text(self) -> str:
        """The reason in the active language."""
        return render(self.reason, self.params)

    def describe(self) -> str:
        """Row, column, value and reason, in the active language (a line of a report)."""
        parts = [gettext("row %(row)s") % {"row": self.row}]
        if self.column:
            parts.append(gettext("column %(column)s") % {"column": repr(self.column)})
        if self.value:
            parts.append(gettext("value %(value)s") % {"value": repr(self.value)})
        return gettext("%(where)s: %(reason)s") % {"where": ", ".join(parts), "reason": self.text()}

    def __str__(self) -> str:
        return self.describe()

    def as_error(self) -> FieldError:
        """The problem as a FieldError of its column, the row as its line."""
        return FieldError(
            self.column, self.value, self.reason, code=self.code, params=self.params, line=self.row
        )

    def as_record(self) -> dict[str, Any]:
        """The problem as kept (JSON), its message untranslated: see `from_record`."""
        return self.as_error().as_record()

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> RowProblem:
        """A kept problem, translated again whenever it is shown.

        Records kept before problems had codes hold row, column, value and an English reason.
        """
        if "reason" in record and "message" not in record:
            record = {
                "line": record.get("row"),
                "field": record.get("column", ""),
                "value": record.get("value", ""),
                "message": record["reason"],
            }
        error = FieldError.from_record(record)
        value = "" if error.value is None else str(error.value)
        return cls(
            int(error.line or 0),
            error.field,
            value,
            error.message,
            code=error.code,
            params=error.params,
        )


def short(value: Any) -> str:
    """A value as shown in a report: text, cut at 200 characters."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    return text if len(text) <= 200 else text[:200] + "…"
