"""Background tasks: large web imports run here, away from the request; kept uploads expire."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

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
    waiting = DBTaskResult.objects.filter(
        task_path=expire_uploads_task.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return False
    delay = timedelta(days=1) if after_run else timedelta(minutes=5)
    expire_uploads_task.using(run_after=timezone.now() + delay).enqueue()
    return True
