"""Background tasks: large web imports run here, away from the request."""

from __future__ import annotations

from django_tasks import task

from clientela.imports.models import ImportRun, ImportStatus
from clientela.imports.services.runs import execute


@task()
def run_import_task(run_id: int) -> None:
    """Run a queued web import."""
    run = ImportRun.objects.filter(pk=run_id, status=ImportStatus.QUEUED).first()
    if run is not None:
        execute(run)
