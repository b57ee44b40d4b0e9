"""The access export written as it is read: JSON, or a zip of data.json and a CSV per section,
with the files the person's interactions carry (under attachments/, as the
interaction_attachments section lists them; the JSON export lists them with where to download
each).

Rows go out one at a time (services.export reads them in batches), so the size of a party
changes how long an export takes, never whether it fits in memory or in one SQL statement.
Adapters write into a temporary file (created 0600 and unlinked at once) and stream it:
a failure shows as an error, never as a truncated download.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO, Any, Protocol

from django.core.serializers.json import DjangoJSONEncoder

from clientela.consent.services.export import Section, sections
from clientela.core.cells import neutralise
from clientela.interactions.services.attachments import attachment_files
from clientela.parties.models import Party

_ENCODER = DjangoJSONEncoder(ensure_ascii=False)


class Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class _Document:
    """data.json, written a section and a row at a time."""

    def __init__(self, out: Writable) -> None:
        self.out = out
        self.sections = 0

    def section(self, name: str, section: Section, *, plain: bool) -> Iterator[dict[str, Any]]:
        """Write one section; yield each row as plain JSON values when asked (for CSV)."""
        self.out.write(("," if self.sections else "{") + f"\n  {_ENCODER.encode(name)}: ")
        self.sections += 1
        if isinstance(section, dict):
            encoded = _ENCODER.encode(section)
            self.out.write(encoded)
            if plain:
                yield json.loads(encoded)
            return
        self.out.write("[")
        count = 0
        for row in section:
            encoded = _ENCODER.encode(row)
            self.out.write(("," if count else "") + "\n    " + encoded)
            count += 1
            if plain:
                yield json.loads(encoded)
        self.out.write("\n  ]" if count else "]")

    def close(self) -> None:
        self.out.write("\n}\n" if self.sections else "{}\n")


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if value is None:
        text = ""
    return neutralise(text)  # no formula a spreadsheet would run, no NUL hiding one


def _columns(section: Section) -> list[str] | None:
    """The CSV columns of a section known in advance (an object, a list); None: the first row's."""
    if isinstance(section, dict):
        return list(section)
    if isinstance(section, list):
        columns: list[str] = []
        for row in section:
            columns += [key for key in row if key not in columns]
        return columns
    return None


def _write_csv(out: IO[str], rows: Iterable[dict[str, Any]], columns: list[str] | None) -> None:
    writer = csv.writer(out)
    if columns is not None:
        writer.writerow(columns)
    for row in rows:
        if columns is None:  # rows read in batches share their keys: the first one's
            columns = list(row)
            writer.writerow(columns)
        writer.writerow([_cell(row.get(column)) for column in columns])
    if columns is None:  # no rows, and none known
        writer.writerow([])


def write_json(party: Party, out: Writable) -> None:
    """Everything about the party as one JSON document, written as it is read."""
    document = _Document(out)
    for name, section in sections(party):
        for _row in document.section(name, section, plain=False):
            pass
    document.close()


def write_archive(party: Party, out: IO[bytes]) -> None:
    """A zip: one CSV per section, written as it is read, then data.json (kept meanwhile in a
    temporary file, so that each row is read from the database once)."""
    with (
        tempfile.TemporaryFile() as raw,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        data = io.TextIOWrapper(raw, encoding="utf-8")
        document = _Document(data)
        for name, section in sections(party):
            with archive.open(f"{name}.csv", "w", force_zip64=True) as entry:
                text = io.TextIOWrapper(entry, encoding="utf-8", newline="")
                rows = document.section(name, section, plain=True)
                _write_csv(text, rows, _columns(section))
                text.flush()
                text.detach()
        document.close()
        data.flush()
        raw.seek(0)
        with archive.open("data.json", "w", force_zip64=True) as entry:
            shutil.copyfileobj(raw, entry)
        data.detach()
        for name, path in attachment_files(party):
            archive.write(path, name)


def json_file(party: Party) -> IO[bytes]:
    """The JSON export in a temporary file, at its start, for a response to stream."""
    file = tempfile.TemporaryFile()  # noqa: SIM115  (returned open: the response closes it)
    try:
        text = io.TextIOWrapper(file, encoding="utf-8")
        write_json(party, text)
        text.flush()
        text.detach()
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return file


def archive_file(party: Party) -> IO[bytes]:
    """The zip export in a temporary file, at its start, for a response to stream."""
    file = tempfile.TemporaryFile()  # noqa: SIM115  (returned open: the response closes it)
    try:
        write_archive(party, file)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return file


def export_party(party: Party) -> dict[str, Any]:
    """Every section as plain JSON values, in memory: for small parties and tests only
    (adapters stream json_file / archive_file)."""
    buffer = io.StringIO()
    write_json(party, buffer)
    data: dict[str, Any] = json.loads(buffer.getvalue())
    return data
