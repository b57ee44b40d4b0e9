"""The record of imports: started, finished, listed, and where their files are kept."""

from __future__ import annotations

import json
import os
import shutil
import socket
from itertools import islice
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from clientela.accounts.models import Role, User
from clientela.accounts.services import require_write
from clientela.core.errors import DomainError, NotFound, invalid
from clientela.imports.models import ImportRun, ImportSource, ImportStatus
from clientela.imports.services import (
    ImportOptions,
    ImportSummary,
    import_file,
    import_rows,
    read_file,
)
from clientela.imports.services.mapping import KINDS, Mapping
from clientela.imports.services.reading import CSV, Table

KEPT_ON_RUN = 200
SOURCE = "source"

INTERRUPTED = (
    "the import stopped before it finished (its process ended); nothing of it was written: "
    "run it again"
)
# What the import page says of an error that is not the file's (details go to the log).
UNEXPECTED = "the import stopped on an unexpected error; nothing was written (see the server log)"


def home() -> Path:
    """The folder under CLIENTELA_HOME where uploads and rejects are kept."""
    return Path(settings.HOME) / "imports"


def run_folder(run: ImportRun) -> Path:
    folder = home() / str(run.pk)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def start_run(
    *, options: ImportOptions, file_name: str, by: User, source: str = ImportSource.CLI
) -> ImportRun:
    """Record that an import starts now (and that those of this machine whose process ended
    before they finished were interrupted)."""
    settle_interrupted()
    return ImportRun.objects.create(
        kind=options.kind,
        source=source,
        file_name=file_name[:255],
        mapping=options.overrides,
        skip_invalid=options.skip_invalid,
        upsert=options.upsert,
        dry_run=options.dry_run,
        status=ImportStatus.RUNNING,
        started_at=timezone.now(),
        created_by=by,
        pid=os.getpid(),
        host=socket.gethostname()[:255],
    )


def finish_run(run: ImportRun, summary: ImportSummary) -> ImportRun:
    """Record what the import did."""
    if summary.dry_run:
        run.status = ImportStatus.CHECKED
    elif summary.written:
        run.status = ImportStatus.DONE
    else:
        run.status = ImportStatus.INVALID
    run.format, run.encoding, run.mapping = summary.format, summary.encoding, summary.mapping
    for name in ("rows", "created", "updated", "unchanged", "rejected"):
        setattr(run, name, getattr(summary, name))
    run.problems = [p.as_dict() for p in summary.problems[:KEPT_ON_RUN]]
    run.finished_at = timezone.now()
    run.save()
    return run


def fail_run(run: ImportRun, error: BaseException) -> ImportRun:
    """Record that the file could not be imported at all, and why."""
    run.status = ImportStatus.FAILED
    run.error = getattr(error, "detail", None) or str(error)
    run.finished_at = timezone.now()
    run.save()
    return run


def visible_runs(user: User) -> QuerySet[ImportRun]:
    """Admins and managers see every import; others see their own (interrupted ones as
    failed)."""
    settle_interrupted()
    runs = ImportRun.objects.select_related("created_by")
    if user.role in {Role.ADMIN, Role.MANAGER}:
        return runs
    return runs.filter(created_by=user)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def settle_interrupted() -> int:
    """Mark failed the runs of this machine whose process ended while they ran; returns how
    many. (A run on another machine cannot be checked from here and is left as it is.)"""
    running = ImportRun.objects.filter(
        status=ImportStatus.RUNNING, host=socket.gethostname()[:255], pid__isnull=False
    )
    ended = [pk for pk, pid in running.values_list("pk", "pid") if pid and not _alive(pid)]
    return ImportRun.objects.filter(pk__in=ended, status=ImportStatus.RUNNING).update(
        status=ImportStatus.FAILED, error=INTERRUPTED, finished_at=timezone.now()
    )


def get_run(user: User, run_id: int) -> ImportRun:
    run = visible_runs(user).filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"import {run_id} not found")
    return run


# -- imports from the web app: the file is kept, mapped, previewed, then run ---------------

SMALL_FILE = 2 * 1024 * 1024  # smaller uploads run at once; larger ones as a background task
PREVIEW_ROWS = 20


def store_upload(upload: IO[bytes], *, name: str, kind: str, by: User) -> ImportRun:
    """Keep an uploaded file under CLIENTELA_HOME and record it, ready to be mapped."""
    require_write(by)
    if kind not in KINDS:
        raise invalid("kind", kind, f"must be one of {', '.join(KINDS)}")
    run = ImportRun.objects.create(
        kind=kind, source=ImportSource.WEB, file_name=Path(name).name[:255], created_by=by
    )
    folder = run_folder(run)
    with (folder / SOURCE).open("wb") as out:
        shutil.copyfileobj(upload, out, length=1 << 20)
    run.folder = str(folder.relative_to(Path(settings.HOME)))
    try:
        table, mapping = _read_stored(run, overrides={})
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
    return (
        Path(settings.HOME)
        / run.folder
        / ("rejects.csv" if run.format == CSV else "rejects.ndjson")
    )


def _options(run: ImportRun, overrides: dict[str, str]) -> ImportOptions:
    return ImportOptions(
        kind=run.kind,
        format=run.format or None,
        encoding=run.encoding or None,
        overrides=overrides,
        dry_run=run.dry_run,
        skip_invalid=run.skip_invalid,
        upsert=run.upsert,
    )


def _read_stored(run: ImportRun, overrides: dict[str, str]) -> tuple[Table, Mapping]:
    binary = source_path(run).open("rb")
    try:
        table, mapping = read_file(binary, name=run.file_name, options=_options(run, overrides))
    except BaseException:
        binary.close()
        raise
    table.closer = binary.close
    return table, mapping


def choose_mapping(
    run: ImportRun, overrides: dict[str, str], *, skip_invalid: bool, upsert: bool, by: User
) -> ImportRun:
    """Record the user's mapping and choices; Invalid names what is wrong with the mapping."""
    require_write(by)
    if run.status != ImportStatus.UPLOADED:
        raise invalid("status", run.status, "this import has already been started")
    run.skip_invalid, run.upsert = skip_invalid, upsert
    table, mapping = _read_stored(run, overrides)
    table.close()
    run.mapping = mapping.as_dict()
    run.save(update_fields=["mapping", "skip_invalid", "upsert"])
    return run


def preview(run: ImportRun, *, by: User) -> tuple[list[dict[str, Any]], ImportSummary]:
    """The first rows as the import would read them, each with its problems; nothing is kept."""
    table, mapping = _read_stored(run, run.mapping)
    try:
        first = list(islice(table.rows, PREVIEW_ROWS))
        table.rows = iter(first)
        options = _options(run, run.mapping)
        options.dry_run = True
        summary = import_rows(table, mapping, options=options, by=by, name=run.file_name)
    finally:
        table.close()
    problems: dict[int, list[str]] = {}
    for problem in summary.problems:
        problems.setdefault(problem.row, []).append(str(problem).split(": ", 1)[-1])
    rows = [
        {
            "row": row.row,
            "cells": _cells(row, table.columns),
            "problems": problems.get(row.row, []),
        }
        for row in first
    ]
    return rows, summary


def _cells(row: Any, columns: list[str]) -> list[str]:
    if row.cells is not None:
        return [str(c)[:200] for c in row.cells[: len(columns)]]
    record = row.record or {}
    return [str(record.get(c, ""))[:200] for c in columns]


def start(run: ImportRun, *, by: User) -> ImportRun:
    """Run the import now when the file is small, else queue it as a background task."""
    require_write(by)
    if run.status != ImportStatus.UPLOADED:
        raise invalid("status", run.status, "this import has already been started")
    from clientela.imports.tasks import run_import_task

    if source_path(run).stat().st_size <= SMALL_FILE:
        return execute(run)
    run.status = ImportStatus.QUEUED
    run.save(update_fields=["status"])
    run_import_task.enqueue(run.pk)
    return run


def execute(run: ImportRun) -> ImportRun:
    """Import a stored file with its recorded mapping; progress goes to a file beside it."""
    run.status, run.started_at = ImportStatus.RUNNING, timezone.now()
    run.pid, run.host = os.getpid(), socket.gethostname()[:255]
    run.save(update_fields=["status", "started_at", "pid", "host"])
    by = run.created_by
    total = source_path(run).stat().st_size
    if by is None:
        return fail_run(run, NotFound("the user who started this import no longer exists"))

    def progress(rows: int, position: int) -> None:
        write_progress(run, rows=rows, position=position, total=total)

    try:
        summary = import_file(
            source_path(run),
            options=_options(run, run.mapping),
            by=by,
            rejects_path=rejects_path(run),
            on_progress=progress,
            name=run.file_name,
        )
    except DomainError as exc:
        return fail_run(run, exc)
    except Exception:  # not the file's fault: recorded, then raised to the task runner's log
        fail_run(run, RuntimeError(UNEXPECTED))
        raise
    if summary.rejected:
        run.rejects_file = str(rejects_path(run).relative_to(Path(settings.HOME)))
    write_progress(run, rows=summary.rows, position=total, total=total)
    return finish_run(run, summary)


def write_progress(run: ImportRun, *, rows: int, position: int, total: int) -> None:
    """How far the import is, in a small file: the import's transaction hides it from others."""
    folder = run_folder(run)
    temporary = folder / "progress.tmp"
    temporary.write_text(json.dumps({"rows": rows, "position": position, "total": total}))
    os.replace(temporary, folder / "progress.json")


def read_progress(run: ImportRun) -> dict[str, Any]:
    """Rows done and the share of the file read, as last written by the import."""
    try:
        data = json.loads((Path(settings.HOME) / run.folder / "progress.json").read_text())
    except (OSError, ValueError):
        data = {"rows": 0, "position": 0, "total": 0}
    total = data.get("total") or 0
    data["percent"] = int(100 * data.get("position", 0) / total) if total else 0
    return data
