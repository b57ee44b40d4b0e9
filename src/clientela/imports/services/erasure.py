"""What an erasure removes from imports: the kept files and problems that name the person.

An import keeps the uploaded file and its rejects (web imports, under CLIENTELA_HOME/imports/)
and the first problems of every import, each with the value of its cell. When a party is
erased, every import whose kept file or problems hold one of the party's identifiers (an
e-mail address or telephone number, as typed or as normalised, or its external id) loses them:
the files are deleted once the erasure commits, and the values and parameters of those problems
are blanked in the erasure's transaction. Names alone are not looked for: a name is shared by
too many people to delete other people's imports for it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from clientela.core.errors import DomainError
from clientela.imports.models import ImportRun, ImportStatus
from clientela.imports.services.problems import RowProblem
from clientela.imports.services.runs import record_error
from clientela.parties.models import ContactPoint, Party

log = logging.getLogger(__name__)
ERASED_FILES = _("the kept files were deleted by a privacy erasure")
ERASED_PROBLEM = _("(removed by a privacy erasure)")
READ_BLOCK = 1 << 24


def identifiers(party: Party) -> set[str]:
    """The party's identifying values, lower-cased (empty ones left out)."""
    found = {party.external_id or ""}
    for value, normalized in ContactPoint.objects.filter(party=party).values_list(
        "value", "normalized"
    ):
        found.update((value, normalized))
    return {v.strip().lower() for v in found if v and len(v.strip()) >= 3}


def _kept_files(run: ImportRun) -> list[Path]:
    if not run.folder:
        return []
    folder = Path(settings.HOME) / run.folder
    return [path for path in folder.iterdir() if path.is_file()] if folder.is_dir() else []


def _mentions(path: Path, encoding: str, wanted: set[str]) -> bool:
    """True when the file holds one of the values (in any case), read a block at a time."""
    longest = max(map(len, wanted))
    tail = ""
    with path.open("r", encoding=encoding or "utf-8", errors="replace", newline="") as text:
        while block := text.read(READ_BLOCK):
            window = (tail + block).lower()
            if any(value in window for value in wanted):
                return True
            tail = window[-longest:]
    return False


def _said(record: dict[str, Any]) -> str:
    """What a kept problem says of the row: its value, its parameters (and, in a problem kept
    before they were untranslated, its reason), lower-cased."""
    params = record.get("params") or {}
    parts = [record.get("value"), record.get("reason"), *params.values()]
    return " ".join(str(p) for p in parts if p not in (None, "")).lower()


def _blank_problems(run: ImportRun, wanted: set[str]) -> bool:
    """Blank the value and parameters of each kept problem that names the party."""
    changed = False
    for index, record in enumerate(run.problems):
        if any(w in _said(record) for w in wanted):
            kept = RowProblem.from_record(record)
            erased = RowProblem(kept.row, kept.column, "", ERASED_PROBLEM, code="erased")
            run.problems[index] = erased.as_record()
            changed = True
    return changed


def erase_from_imports(party: Party) -> None:
    """The eraser registered with consent: see the module's docstring."""
    wanted = identifiers(party)
    if not wanted:
        return
    doomed: list[Path] = []
    for run in ImportRun.objects.all().iterator():
        files = [path for path in _kept_files(run) if _mentions(path, run.encoding, wanted)]
        fields = []
        if _blank_problems(run, wanted):
            fields.append("problems")
        if files:
            doomed += files
            run.rejects_file = ""
            record_error(run, DomainError(ERASED_FILES, code="import_files_erased"))
            fields += ["rejects_file", "error", "error_detail"]
            if not run.is_finished:  # its file is gone: it cannot run any more
                run.status = ImportStatus.FAILED
                fields.append("status")
        if fields:
            run.save(update_fields=fields)
    if doomed:
        transaction.on_commit(lambda: _delete(doomed))


def _delete(paths: list[Path]) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            log.exception("could not delete %s after an erasure", path)
