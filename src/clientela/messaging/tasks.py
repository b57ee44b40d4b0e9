"""Background tasks of messaging: reading the bounce mailbox over IMAP."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


@task()
def read_bounce_mailbox_task() -> dict[str, int]:
    """Ingest the bounce mailbox's unseen mail; then queue the next read."""
    from clientela.messaging.services.mailboxes import ingest_imap

    try:
        summary = ingest_imap()
    finally:
        schedule_bounce_mailbox(after_run=True)
    return {"read": summary.read, "kept": summary.kept, "duplicates": summary.duplicates}


def schedule_bounce_mailbox(*, after_run: bool = False) -> bool:
    """Queue the next read unless the mailbox is not configured or a read is waiting."""
    if not settings.CLIENTELA_BOUNCE_IMAP_URL:
        return False
    waiting = DBTaskResult.objects.filter(
        task_path=read_bounce_mailbox_task.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return False
    minutes = max(1, settings.CLIENTELA_BOUNCE_POLL_MINUTES) if after_run else 0
    read_bounce_mailbox_task.using(run_after=timezone.now() + timedelta(minutes=minutes)).enqueue()
    return True
