"""An import's problems and errors as its pages show them, in the reader's language.

Problems are kept untranslated (a message id and its parameters); they are rendered here, when
they are shown, in whatever language is active for the request.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext, gettext_lazy

from clientela.core.errors import FieldError, printable, render_stored
from clientela.imports.models import ImportRun
from clientela.imports.services.problems import RowProblem

# What the page offers instead, after a reason that has one (the command names its option).
PAGE_HINTS = {
    "duplicate_party": gettext_lazy(
        "to update it, tick “Update the parties that rows match” and check the file again"
    ),
}


def reason_text(problem: RowProblem) -> str:
    """The problem's reason in the active language, with what to do on this page."""
    hint = PAGE_HINTS.get(problem.code)
    if hint is None:
        return problem.text()
    return gettext("%(reason)s; %(hint)s") % {"reason": problem.text(), "hint": hint}


def problem_texts(problems: Iterable[RowProblem]) -> list[str]:
    """Each problem's reason in the active language (the row and the cell are shown beside)."""
    return [reason_text(problem) for problem in problems]


def shown_preview(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The preview's rows with their problems in the active language."""
    return [{**row, "problems": problem_texts(row["problems"])} for row in rows]


def run_problems(run: ImportRun) -> list[dict[str, Any]]:
    """The problems kept on the run: row, column, value and reason in the active language."""
    shown = []
    for record in run.problems:
        problem = RowProblem.from_record(record)
        shown.append(
            {
                "row": problem.row,
                "column": problem.column,
                "value": printable(problem.value),
                "reason": reason_text(problem),
            }
        )
    return shown


def run_error(run: ImportRun) -> list[str]:
    """Why the run failed, a line per problem, in the active language."""
    detail = run.error_detail or {}
    lines = []
    if detail.get("message"):
        lines.append(render_stored(str(detail["message"]), detail.get("params") or {}))
    lines += [FieldError.from_record(e).describe() for e in detail.get("errors") or []]
    if not lines and run.error:
        lines.append(gettext(run.error))  # kept before errors were stored untranslated
    return lines
