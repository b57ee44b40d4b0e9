"""Reading an uploaded or given file as a table: CSV in any common dialect, or NDJSON.

Rows stream: the file is read line by line, never whole. Each row carries the line of the file
where it starts (the header is line 1) and the problems found while reading it (bytes that are
not in the file's encoding, NUL characters, a quoted cell that never closes).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from clientela.core.errors import FieldError, Invalid, invalid
from clientela.core.validation import nul_field
from clientela.imports.services.lines import bad_lines, text_lines

# ReadProblem is named from here by the order import, which reads rows as this module does.
from clientela.imports.services.problems import ReadProblem as ReadProblem
from clientela.imports.services.problems import short

CSV = "csv"
NDJSON = "ndjson"
FORMATS = (CSV, NDJSON)
DELIMITERS = (",", ";", "\t", "|")
# A cell may be large (a 10 MB note is refused by the field's rule, not by the reader).
MAX_CELL = 64 * 1024 * 1024
SAMPLE = 64 * 1024

csv.field_size_limit(MAX_CELL)


@dataclass(slots=True)
class SourceRow:
    """One row of the file: its line number, its cells (CSV) or object (NDJSON), its problems."""

    row: int
    cells: list[str] | None = None
    record: dict[str, Any] | None = None
    problems: list[ReadProblem] = field(default_factory=list)


@dataclass
class Table:
    """The file's format, encoding, dialect, columns and a stream of its rows."""

    format: str
    encoding: str
    columns: list[str]
    rows: Iterator[SourceRow]
    delimiter: str = ","
    position: Any = None  # callable returning the bytes read so far
    closer: Any = None  # closes the file, when the table opened it
    size: int | None = None  # the file's bytes, when it is a file on disk
    source: IO[bytes] | None = None  # the file itself, to hash it as the proof of what it said

    def close(self) -> None:
        if self.closer is not None:
            self.closer()


def detect_encoding(head: bytes, requested: str | None) -> str:
    """The requested encoding, or the one a byte-order mark names, or UTF-8."""
    if requested:
        try:
            return codecs.lookup(requested).name
        except LookupError as exc:
            raise invalid(
                "encoding",
                requested,
                code="encoding_unknown",
                message=_("is not an encoding Python knows"),
            ) from exc
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return name
    return "utf-8"


def detect_format(name: str, head: bytes, requested: str | None) -> str:
    """The requested format, else the file's extension, else a guess from its first byte."""
    if requested:
        if requested not in FORMATS:
            raise invalid(
                "format", requested, code="format_unknown", message=_("must be csv or ndjson")
            )
        return requested
    lower = name.lower()
    if lower.endswith((".ndjson", ".jsonl", ".json")):
        return NDJSON
    if lower.endswith((".csv", ".tsv", ".txt")):
        return CSV
    return NDJSON if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else CSV


def _sniff_delimiter(header_line: str) -> str:
    """The delimiter used most in the header line, outside quotes; comma when none is."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def open_table(
    binary: IO[bytes], *, name: str, format: str | None = None, encoding: str | None = None
) -> Table:
    """Open a file as a table; raises Invalid for a file that cannot be read as one at all."""
    head = binary.read(SAMPLE)
    binary.seek(0)
    if not head.strip(b" \t\r\n\xef\xbb\xbf"):
        raise invalid("file", name, code="file_empty", message=_("is empty"))
    encoding = detect_encoding(head, encoding)
    kind = detect_format(name, head, format)
    table = _ndjson_table(binary, encoding) if kind == NDJSON else _csv_table(binary, encoding)
    table.size = _size_on_disk(binary)
    table.source = binary
    return table


def _size_on_disk(binary: IO[bytes]) -> int | None:
    try:
        return os.fstat(binary.fileno()).st_size
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None  # an upload held in memory


def _csv_table(binary: IO[bytes], encoding: str) -> Table:
    lines, position = text_lines(binary, encoding)
    iterator = iter(lines)
    header_lines: list[str] = []
    for line in iterator:
        header_lines.append(line)
        if line.strip():
            break
    if not header_lines or not header_lines[-1].strip():
        raise invalid("file", "", code="header_missing", message=_("has no header row"))
    delimiter = _sniff_delimiter(header_lines[-1])

    chained = itertools.chain(header_lines, iterator)
    reader = csv.reader(chained, delimiter=delimiter, quotechar='"', strict=True)
    try:
        header = next(reader)
        while not any(cell.strip() for cell in header):
            header = next(reader)
    except (csv.Error, StopIteration, UnicodeDecodeError) as exc:
        # The reader's own explanation, as data: it is the library's, not one of ours.
        raise invalid(
            "file",
            short(str(exc)),
            code="header_unreadable",
            message=_("has no readable header row"),
        ) from exc
    bad = bad_lines(lines)
    in_header = [problem for number, problem in bad.items() if number <= reader.line_num]
    if in_header:
        raise Invalid([FieldError("header", p.value, p.message, code=p.reason) for p in in_header])
    columns = [c.strip() for c in header]
    return Table(
        format=CSV,
        encoding=encoding,
        columns=columns,
        rows=CsvRows(reader, bad, len(columns), position),
        delimiter=delimiter,
        position=position,
    )


@dataclass(slots=True)
class RawBatch:
    """Rows as the CSV reader gave them, with the line where each ends; a SourceRow is made
    only for the rows that need one (see CsvRows.batches)."""

    cells: list[list[str]]
    ends: list[int]  # the line where each row ends
    start: int  # the line where the first row starts
    problems: dict[int, list[ReadProblem]] = field(default_factory=dict)  # by index
    skip: set[int] = field(default_factory=set)  # blank lines, by index
    position: int = 0  # the bytes of the file read when the batch was

    @property
    def count(self) -> int:
        """The rows that count: every row but the blank lines."""
        return len(self.cells) - len(self.skip)

    def start_of(self, index: int) -> int:
        return self.start if index == 0 else self.ends[index - 1] + 1

    def source_row(self, index: int) -> SourceRow:
        return SourceRow(
            self.start_of(index), self.cells[index], problems=list(self.problems.get(index, ()))
        )

    def source_rows(self) -> list[SourceRow]:
        """Every row but the blank lines, as SourceRows."""
        skip = self.skip
        return [self.source_row(i) for i in range(len(self.cells)) if i not in skip]


class CsvRows:
    """The CSV file's rows: an iterator of SourceRows, or raw batches for a faster importer.

    Both come from the same reader, so a table is read one way or the other, not both.
    """

    def __init__(self, reader: Any, bad: dict[int, ReadProblem], width: int, position: Any) -> None:
        self.reader = reader
        self.bad = bad
        self.width = width
        self.position = position
        self.last = reader.line_num
        self.done = False
        self._rows = self._each()

    def __iter__(self) -> CsvRows:
        return self

    def __next__(self) -> SourceRow:
        return next(self._rows)

    def _each(self) -> Iterator[SourceRow]:
        while (batch := self.next_batch(512)) is not None:
            yield from batch.source_rows()

    def batches(self, size: int) -> Iterator[RawBatch]:
        """The rows a batch of up to `size` at a time."""
        while (batch := self.next_batch(size)) is not None:
            yield batch

    def next_batch(self, size: int) -> RawBatch | None:
        """Up to `size` rows, each with the line it ends on; None at the end of the file."""
        if self.done:
            return None
        reader = self.reader
        batch = RawBatch([], [], self.last + 1)
        cells, ends = batch.cells, batch.ends
        add, end = cells.append, ends.append
        while len(cells) < size:
            try:
                for row in itertools.islice(reader, size - len(cells)):
                    add(row)
                    end(reader.line_num)
                if len(cells) < size:
                    self.done = True
                break
            except csv.Error as exc:
                batch.problems[len(cells)] = [_csv_problem(exc)]
                add([])
                end(reader.line_num)
            except UnicodeDecodeError:
                batch.problems[len(cells)] = [ReadProblem("", "", "undecodable")]
                add([])
                end(reader.line_num)
                self.done = True
                break
        if ends:
            self.last = ends[-1]
        batch.position = self.position()
        self._mark_blank_and_bad(batch)
        return batch if cells else None

    def _mark_blank_and_bad(self, batch: RawBatch) -> None:
        cells, width = batch.cells, self.width
        if width == 1 or set(map(len, cells)) - {width}:
            batch.skip = {
                i
                for i, row in enumerate(cells)
                if i not in batch.problems and (not row or (len(row) == 1 and not row[0].strip()))
            }
        bad = self.bad
        if not bad:
            return
        for i in range(len(cells)):
            if i in batch.skip or (i in batch.problems and not cells[i]):
                continue
            for number in range(batch.start_of(i), batch.ends[i] + 1):
                if number in bad:
                    batch.problems.setdefault(i, []).append(bad.pop(number))


def _csv_problem(exc: csv.Error) -> ReadProblem:
    """The csv module's error as a read problem: an unclosed quote has its own code (the
    module says "unexpected end of data"); any other keeps the module's words as its value."""
    if "unexpected end of data" in str(exc):
        return ReadProblem("", "", "quote_not_closed")
    return ReadProblem("", short(str(exc)), "csv_unreadable")


def _ndjson_table(binary: IO[bytes], encoding: str) -> Table:
    lines, position = text_lines(binary, encoding)
    rows = _ndjson_rows(lines)
    first: list[SourceRow] = []
    columns: list[str] = []
    # Columns are the keys of the first objects, so the mapping can be proposed as for CSV.
    for row in rows:
        first.append(row)
        if row.record is not None:
            columns += [k for k in row.record if k not in columns]
        if len(first) >= 50:
            break

    def chained() -> Iterator[SourceRow]:
        yield from first
        yield from rows

    return Table(
        format=NDJSON, encoding=encoding, columns=columns, rows=chained(), position=position
    )


def _ndjson_rows(lines: Any) -> Iterator[SourceRow]:
    bad = bad_lines(lines)
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        row = SourceRow(number)
        if bad and number in bad:
            row.problems.append(bad.pop(number))
        text = text.rstrip("\r\n")
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:  # the position as a person counts, from 1
            problem = ReadProblem("", text[:80], "json_invalid", {"position": exc.pos + 1})
            row.problems.append(problem)
            yield row
            continue
        except ValueError:  # valid JSON beyond what Python reads (a number of 5,000 digits)
            row.problems.append(ReadProblem("", text[:80], "json_unreadable"))
            yield row
            continue
        if not isinstance(value, dict):
            row.problems.append(ReadProblem("", text[:80], "json_not_object"))
        elif "\\u0000" in text and (nul := nul_field(value)):  # JSON's way to write a NUL
            row.problems.append(ReadProblem(nul[0], short(nul[1]), "nul_character"))
        else:
            row.record = value
        yield row
