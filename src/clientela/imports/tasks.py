"""Background tasks: large web imports run here, away from the request; kept uploads expire."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from clientela.core.schedules import queue_daily
from clientela.imports import services


@task()
def run_import_task(run_id: int) -> None:
    """Run a queued web import."""
    services.run_queued(run_id)


@task()
def expire_uploads_task() -> int:
    """Delete kept uploads and rejects past their retention; then queue tomorrow's run."""
    with transaction.atomic():
        expired = services.expire_uploads()
    schedule_upload_expiry(after_run=True)
    return expired


def schedule_upload_expiry(*, after_run: bool = False) -> bool:
    """Queue the next expiry run (in a day) unless one is already waiting; True if queued."""
    return queue_daily(expire_uploads_task, after_run=after_run)
