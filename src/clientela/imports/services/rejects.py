"""The rejected rows: as they were in the file, plus _row and _errors, to fix and import again.

A command writes the file for the person who runs it, the reasons in the active language. A
web import keeps the file to be downloaded later, by someone who may read another language: it
keeps each reason untranslated (`RowProblem.as_record`, JSON in the _errors cell) and the
download renders them in the downloader's language (`shown_rejects`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext

from clientela.core.cells import neutralise
from clientela.imports.services.exporting import Echo
from clientela.imports.services.problems import RowProblem
from clientela.imports.services.reading import CSV, Table
from clientela.imports.services.rows import Outcome


class RejectsWriter:
    """Writes each rejected row as it was, with its row number and reasons."""

    def __init__(self, stream: IO[str], table: Table, *, kept: bool = False) -> None:
        self.stream = stream
        self.table = table
        self.kept = kept
        self.writer = csv.writer(stream, lineterminator="\r\n") if table.format == CSV else None
        if self.writer is not None:
            self.writer.writerow([neutralise(c) for c in table.columns] + ["_row", "_errors"])

    def write(self, outcome: Outcome) -> None:
        row = outcome.row
        if self.writer is not None:
            cells = list(row.cells or [])
            cells += [""] * (len(self.table.columns) - len(cells))
            if self.kept:
                errors = json.dumps([p.as_record() for p in outcome.problems], ensure_ascii=False)
            else:
                errors = neutralise(reasons(outcome.problems))
            self.writer.writerow([neutralise(c) for c in cells] + [str(row.row), errors])
        else:
            record = dict(row.record or {})
            record["_row"] = row.row
            record["_errors"] = [
                p.as_record() if self.kept else reason(p) for p in outcome.problems
            ]
            self.stream.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")


def reason(problem: RowProblem) -> str:
    """The problem as the _errors column says it: `column: reason`, in the active language."""
    if not problem.column:
        return problem.text()
    return gettext("%(column)s: %(reason)s") % {"column": problem.column, "reason": problem.text()}


def reasons(problems: Iterable[RowProblem]) -> str:
    return "; ".join(reason(p) for p in problems)


def shown_rejects(path: Path, format: str) -> Iterator[str]:
    """A kept rejects file as its downloader reads it: the reasons in the active language.

    A file kept before reasons were stored untranslated is given as it is.
    """
    with path.open("r", encoding="utf-8", newline="") as stream:
        if format == CSV:
            yield from _shown_csv(stream)
        else:
            yield from (_shown_line(line) for line in stream)


def _shown_csv(stream: IO[str]) -> Iterator[str]:
    writer = csv.writer(Echo(), lineterminator="\r\n")
    rows = csv.reader(stream)
    header = next(rows, None)
    if header is None:
        return
    yield writer.writerow(header)
    for row in rows:
        if row:
            row[-1] = neutralise(reasons(_problems(row[-1])))
        yield writer.writerow(row)


def _shown_line(line: str) -> str:
    try:
        record = json.loads(line)
    except ValueError:
        return line
    if isinstance(record, dict) and isinstance(record.get("_errors"), list):
        record["_errors"] = [_shown_item(item) for item in record["_errors"]]
        return json.dumps(record, ensure_ascii=False) + "\n"
    return line


def _shown_item(item: Any) -> Any:
    return reason(RowProblem.from_record(item)) if isinstance(item, dict) else item


def _problems(cell: str) -> list[RowProblem]:
    try:
        records = json.loads(cell)
    except ValueError:
        records = None
    if not isinstance(records, list):  # a reason already written out
        return [RowProblem(0, "", "", cell)]
    return [RowProblem.from_record(r) for r in records if isinstance(r, dict)]
