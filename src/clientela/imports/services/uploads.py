"""Imports from the web app: the file is kept, mapped, previewed, then run (at once when it is
small, else by the worker), with its progress in a small file beside it.

The kept files (the upload, its rejects) hold personal data: they are made 0600 in a 0700
folder, deleted with the person they name (erasure.py), and deleted for everybody
CLIENTELA_UPLOAD_RETENTION_DAYS after the upload (`expire_uploads`, run daily by the worker).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Right, User
from clientela.accounts.services import require_right
from clientela.core.errors import DomainError, Invalid, invalid
from clientela.core.files import private_fd
from clientela.imports.models import ImportRun, ImportSource, ImportStatus
from clientela.imports.services.format_detection import check_formats
from clientela.imports.services.importing import ImportSummary, import_rows, read_file
from clientela.imports.services.mapping import KINDS, Mapping
from clientela.imports.services.problems import RowProblem
from clientela.imports.services.reading import CSV, SourceRow, Table
from clientela.imports.services.runs import (
    ALREADY_STARTED,
    options_of,
    record_error,
    run_folder,
    run_import,
)

log = logging.getLogger(__name__)

SOURCE = "source"
SMALL_FILE = 2 * 1024 * 1024  # smaller uploads run at once; larger ones as a background task
PREVIEW_ROWS = 20
EXPIRED = _(
    "the uploaded file was deleted %(days)s days after the upload, as every upload is, before "
    "this import ran: upload it again"
)


def store_upload(upload: IO[bytes], *, name: str, kind: str, by: User) -> ImportRun:
    """Keep an uploaded file under CLIENTELA_HOME and record it, ready to be mapped."""
    require_right(by, Right.IMPORT)
    if kind not in KINDS:
        raise invalid(
            "kind",
            kind,
            code="import_kind_unknown",
            message=_("must be one of %(kinds)s"),
            kinds=", ".join(KINDS),
        )
    run = ImportRun.objects.create(
        kind=kind, source=ImportSource.WEB, file_name=Path(name).name[:255], created_by=by
    )
    folder = run_folder(run)
    with open(private_fd(folder / SOURCE), "wb") as out:
        shutil.copyfileobj(upload, out, length=1 << 20)
    run.folder = str(folder.relative_to(Path(settings.HOME)))
    try:
        # How its dates and amounts are written is asked when it is previewed or started.
        table, mapping = _read_stored(run, overrides={}, with_formats=False)
    except DomainError:
        shutil.rmtree(folder, ignore_errors=True)
        run.delete()
        raise
    table.close()
    run.format, run.encoding, run.mapping = table.format, table.encoding, mapping.as_dict()
    run.save()
    return run


def source_path(run: ImportRun) -> Path:
    return Path(settings.HOME) / run.folder / SOURCE


def rejects_path(run: ImportRun) -> Path:
    name = "rejects.csv" if run.format == CSV else "rejects.ndjson"
    return Path(settings.HOME) / run.folder / name


def _read_stored(
    run: ImportRun, overrides: dict[str, str], *, with_formats: bool = True
) -> tuple[Table, Mapping]:
    binary = source_path(run).open("rb")
    try:
        table, mapping = read_file(
            binary,
            name=run.file_name,
            options=options_of(run, overrides),
            with_formats=with_formats,
        )
    except BaseException:
        binary.close()
        raise
    table.closer = binary.close
    return table, mapping


def _not_started(run: ImportRun) -> None:
    if run.status != ImportStatus.UPLOADED:
        raise invalid("status", run.status, code="import_already_started", message=ALREADY_STARTED)


def choose_mapping(
    run: ImportRun,
    overrides: dict[str, str],
    *,
    skip_invalid: bool,
    upsert: bool,
    by: User,
    date_format: str = "",
    locale: str = "",
) -> ImportRun:
    """Record the user's mapping and choices; Invalid names what is wrong with the mapping,
    the date format or the locale, or a column whose dates or amounts the file leaves open
    (formats.py)."""
    require_right(by, Right.IMPORT)
    _not_started(run)
    run.skip_invalid, run.upsert = skip_invalid, upsert
    run.date_format, run.locale = date_format.strip(), locale.strip()
    check_formats(run.date_format or None, run.locale or None)
    problem: Invalid | None = None
    try:
        table, mapping = _read_stored(run, overrides)
    except Invalid as exc:
        # The mapping is kept when only the formats are open: the page asks for them.
        if not all(e.field in {"date_format", "locale"} for e in exc.errors):
            raise
        table, mapping = _read_stored(run, overrides, with_formats=False)
        problem = exc
    table.close()
    run.mapping = mapping.as_dict()
    run.save(update_fields=["mapping", "skip_invalid", "upsert", "date_format", "locale"])
    if problem is not None:
        raise problem
    return run


def preview(run: ImportRun, *, by: User) -> tuple[list[dict[str, Any]], ImportSummary]:
    """The first rows as the import would read them, each with its problems (RowProblems, to
    be shown in the reader's language); nothing is kept."""
    table, mapping = _read_stored(run, run.mapping)
    try:
        first = list(islice(table.rows, PREVIEW_ROWS))
        table.rows = iter(first)
        options = options_of(run)
        options.dry_run = True
        summary = import_rows(table, mapping, options=options, by=by, name=run.file_name)
    finally:
        table.close()
    problems: dict[int, list[RowProblem]] = {}
    for problem in summary.problems:
        problems.setdefault(problem.row, []).append(problem)
    rows = [
        {
            "row": row.row,
            "cells": _cells(row, table.columns),
            "problems": problems.get(row.row, []),
        }
        for row in first
    ]
    return rows, summary


def _cells(row: SourceRow, columns: list[str]) -> list[str]:
    if row.cells is not None:
        return [str(c)[:200] for c in row.cells[: len(columns)]]
    record = row.record or {}
    return [str(record.get(c, ""))[:200] for c in columns]


def start(run: ImportRun, *, by: User) -> ImportRun:
    """Run the import now when the file is small, else queue it as a background task."""
    require_right(by, Right.IMPORT)
    _not_started(run)
    # The task module calls back into this one: it is imported when a task is to be queued.
    from clientela.imports.tasks import run_import_task

    if source_path(run).stat().st_size <= SMALL_FILE:
        return execute(run)
    run.status = ImportStatus.QUEUED
    run.save(update_fields=["status"])
    run_import_task.enqueue(run.pk)
    return run


def run_queued(run_id: int) -> ImportRun | None:
    """Run a queued web import (the worker's task); None when it is no longer queued."""
    run = ImportRun.objects.filter(pk=run_id, status=ImportStatus.QUEUED).first()
    return None if run is None else execute(run)


def execute(run: ImportRun) -> ImportRun:
    """Import a stored file with its recorded mapping (`run_import`); progress goes to a file
    beside it. A failure that is the file's is recorded on the run, which the page shows."""
    total = source_path(run).stat().st_size

    def progress(rows: int, position: int) -> None:
        write_progress(run, rows=rows, position=position, total=total)

    try:
        summary = run_import(run, source_path(run), rejects=rejects_path(run), on_progress=progress)
    except DomainError:
        return run
    write_progress(run, rows=summary.rows, position=total, total=total)
    return run


def write_progress(run: ImportRun, *, rows: int, position: int, total: int) -> None:
    """How far the import is, in a small file: the import's transaction hides it from others."""
    folder = run_folder(run)
    temporary = folder / "progress.tmp"
    with open(private_fd(temporary), "w", encoding="utf-8") as out:
        out.write(json.dumps({"rows": rows, "position": position, "total": total}))
    os.replace(temporary, folder / "progress.json")


def read_progress(run: ImportRun) -> dict[str, Any]:
    """Rows done and the share of the file read, as last written by the import."""
    try:
        data = json.loads((Path(settings.HOME) / run.folder / "progress.json").read_text())
    except (OSError, ValueError):
        data = {"rows": 0, "position": 0, "total": 0}
    if not isinstance(data, dict):
        data = {"rows": 0, "position": 0, "total": 0}
    total = data.get("total") or 0
    data["percent"] = int(100 * data.get("position", 0) / total) if total else 0
    return data


def expire_uploads(now: datetime | None = None) -> int:
    """Delete the kept files of web imports uploaded more than CLIENTELA_UPLOAD_RETENTION_DAYS
    ago (0: never), and record it on each run; returns how many runs lost their files.

    A run that never started cannot run without its file: it is marked failed, with the
    reason. A running import keeps its files until it ends. The files go once the caller's
    transaction commits, as an erasure's do.
    """
    days = int(getattr(settings, "CLIENTELA_UPLOAD_RETENTION_DAYS", 30))
    if days <= 0:
        return 0
    now = now or timezone.now()
    runs = (
        ImportRun.objects.filter(created_at__lt=now - timedelta(days=days))
        .filter(files_expired_at__isnull=True)
        .exclude(folder="")
        .exclude(status=ImportStatus.RUNNING)
    )
    folders = []
    for run in runs.iterator():
        folders.append(Path(settings.HOME) / run.folder)
        run.files_expired_at, run.rejects_file = now, ""
        fields = ["files_expired_at", "rejects_file"]
        if run.status in {ImportStatus.UPLOADED, ImportStatus.QUEUED}:
            run.status, run.finished_at = ImportStatus.FAILED, now
            record_error(
                run, DomainError(EXPIRED, code="import_upload_expired", params={"days": days})
            )
            fields += ["status", "finished_at", "error", "error_detail"]
        run.save(update_fields=fields)
    if folders:
        transaction.on_commit(lambda: _delete_folders(folders))
    return len(folders)


def _delete_folders(folders: list[Path]) -> None:
    for folder in folders:
        try:
            shutil.rmtree(folder)
        except FileNotFoundError:
            pass  # already gone (an erasure, by hand)
        except OSError:
            log.exception("could not delete the expired import files in %s", folder)
