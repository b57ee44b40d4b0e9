"""The record of imports, and the one life of every import: started, run, finished or failed.

An import from the command line, from the web app (at once) or from the worker (a large upload)
runs through `run_import`: it marks failed the runs whose process ended before they finished,
marks this one running (with the process and host that run it), imports the file, and records
what came of it, or why it failed. What is recorded keeps its messages untranslated, with their
parameters, so each reader sees them in their own language (presenters.py).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Role, User
from clientela.core.errors import DomainError, NotFound, invalid, message_id, printable
from clientela.core.files import private_folder
from clientela.imports.models import ImportRun, ImportSource, ImportStatus
from clientela.imports.services import publishing
from clientela.imports.services.importing import (
    ImportOptions,
    ImportSummary,
    Progress,
    import_file,
)
from clientela.imports.services.problems import RowProblem

KEPT_ON_RUN = 200

INTERRUPTED = _(
    "the import stopped before it finished (its process ended); nothing of it was written: "
    "run it again"
)
# What the import page says of an error that is not the file's (details go to the log).
UNEXPECTED = _(
    "the import stopped on an unexpected error; nothing was written (see the server log)"
)
USER_GONE = _("the user who started this import no longer exists")
ALREADY_STARTED = _("this import has already been started")


def home() -> Path:
    """The folder under CLIENTELA_HOME where uploads and rejects are kept."""
    return Path(settings.HOME) / "imports"


def run_folder(run: ImportRun) -> Path:
    """The run's folder of kept files (0700: the files hold personal data)."""
    return private_folder(home() / str(run.pk))


def options_of(run: ImportRun, overrides: dict[str, str] | None = None) -> ImportOptions:
    """How the run's file is read and imported, as recorded on the run."""
    return ImportOptions(
        kind=run.kind,
        format=run.format or None,
        encoding=run.encoding or None,
        overrides=dict(run.mapping if overrides is None else overrides),
        dry_run=run.dry_run,
        skip_invalid=run.skip_invalid,
        upsert=run.upsert,
        date_format=run.date_format or None,
        locale=run.locale or None,
    )


def import_path(
    path: Path,
    *,
    options: ImportOptions,
    by: User,
    rejects: Path | None = None,
    on_progress: Progress | None = None,
    on_problem: Callable[[RowProblem], None] | None = None,
) -> tuple[ImportRun, ImportSummary]:
    """Record an import of a file given on the command line, and run it (`run_import`)."""
    name = str(path)
    run = ImportRun.objects.create(
        kind=options.kind,
        source=ImportSource.CLI,
        file_name=name[-255:],  # the end of a long path: the name and its extension
        format=options.format or "",
        encoding=options.encoding or "",
        mapping=options.overrides,
        skip_invalid=options.skip_invalid,
        upsert=options.upsert,
        date_format=options.date_format or "",
        locale=options.locale or "",
        dry_run=options.dry_run,
        created_by=by,
    )
    summary = run_import(run, path, rejects=rejects, on_progress=on_progress, on_problem=on_problem)
    return run, summary


def run_import(
    run: ImportRun,
    path: Path,
    *,
    rejects: Path | None = None,
    on_progress: Progress | None = None,
    on_problem: Callable[[RowProblem], None] | None = None,
) -> ImportSummary:
    """Run a recorded import of the file at `path`: the one life of every import.

    A DomainError (the file, the mapping, the user's rights) is recorded on the run and raised
    again for the adapter to show; any other error is recorded as unexpected, without its
    details, and raised again to reach the log. A web import keeps its rejects file to be
    downloaded later, so its reasons are kept untranslated (rejects.py).
    """
    if run.status not in {ImportStatus.UPLOADED, ImportStatus.QUEUED}:
        raise invalid("status", run.status, code="import_already_started", message=ALREADY_STARTED)
    settle_interrupted()
    run.status, run.started_at = ImportStatus.RUNNING, timezone.now()
    run.pid, run.host = os.getpid(), socket.gethostname()[:255]
    run.save(update_fields=["status", "started_at", "pid", "host"])
    try:
        if run.created_by is None:
            raise NotFound(USER_GONE, code="import_user_gone")
        summary = import_file(
            path,
            options=options_of(run),
            by=run.created_by,
            rejects_path=rejects,
            rejects_kept=run.source == ImportSource.WEB,
            on_progress=on_progress,
            on_problem=on_problem,
            name=Path(run.file_name).name,
            run=run,
        )
    except DomainError as exc:
        fail_run(run, exc)
        raise
    except Exception:  # not the file's fault: recorded, then raised to the log
        fail_run(run, DomainError(UNEXPECTED, code="import_failed_unexpectedly"))
        raise
    except BaseException:  # interrupted (Ctrl-C, exit): nothing of it was written
        fail_run(run, DomainError(INTERRUPTED, code="import_interrupted"))
        raise
    if rejects is not None and summary.rejected:
        run.rejects_file = _kept_path(rejects)
    finish_run(run, summary)
    return summary


def _kept_path(path: Path) -> str:
    """A path as the run keeps it: under CLIENTELA_HOME relative to it, else absolute."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path(settings.HOME).resolve()))
    except ValueError:
        return str(resolved)


def finish_run(run: ImportRun, summary: ImportSummary) -> ImportRun:
    """Record what the import did."""
    if summary.dry_run:
        run.status = ImportStatus.CHECKED
    elif summary.written:
        run.status = ImportStatus.DONE
    else:
        run.status = ImportStatus.INVALID
    run.format, run.encoding, run.mapping = summary.format, summary.encoding, summary.mapping
    for name in ("rows", "created", "updated", "unchanged", "rejected", "skipped"):
        setattr(run, name, getattr(summary, name))
    run.problems = [p.as_record() for p in summary.problems[:KEPT_ON_RUN]]
    run.finished_at = timezone.now()
    with transaction.atomic():  # done, and so nothing of it to take back, at once
        run.save()
        publishing.forget(run)
    return run


def error_record(error: DomainError) -> dict[str, Any]:
    """An error as a run keeps it: its code, untranslated message, parameters and field
    errors (each FieldError.as_record)."""
    return {
        "code": error.code,
        "message": message_id(error.message),
        "params": {k: printable(v) for k, v in error.params.items()},
        "errors": [e.as_record() for e in error.errors],
    }


def fail_run(run: ImportRun, error: DomainError) -> ImportRun:
    """Record that the file could not be imported at all, and why."""
    run.status = ImportStatus.FAILED
    record_error(run, error)
    run.finished_at = timezone.now()
    run.save()
    return run


def record_error(run: ImportRun, error: DomainError) -> None:
    """Set the run's error (not saved): in English for the record, and kept untranslated to be
    shown in each reader's language."""
    with translation.override(None):
        run.error = error.detail
    run.error_detail = error_record(error)


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
        status__in=[ImportStatus.RUNNING, ImportStatus.PUBLISHING],
        host=socket.gethostname()[:255],
        pid__isnull=False,
    )
    ended = [
        (pk, status)
        for pk, pid, status in running.values_list("pk", "pid", "status")
        if pid and not _alive(pid)
    ]
    # A failed run whose own taking back failed too (the database busy, say) left its journal.
    publishing.take_back(publishing.left_over())
    if not ended:
        return 0
    # Those that were publishing their rows: what they published is taken back first.
    publishing.take_back([pk for pk, status in ended if status == ImportStatus.PUBLISHING])
    error = DomainError(INTERRUPTED, code="import_interrupted")
    return ImportRun.objects.filter(
        pk__in=[pk for pk, _status in ended],
        status__in=[ImportStatus.RUNNING, ImportStatus.PUBLISHING],
    ).update(
        status=ImportStatus.FAILED,
        error=message_id(INTERRUPTED),
        error_detail=error_record(error),
        finished_at=timezone.now(),
    )


def get_run(user: User, run_id: int) -> ImportRun:
    """One import the user may see; NotFound otherwise."""
    run = visible_runs(user).filter(pk=run_id).first()
    if run is None:
        raise NotFound(_("import %(id)s not found"), code="import_not_found", params={"id": run_id})
    return run
