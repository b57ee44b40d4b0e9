"""Background tasks of consent: the daily clean-up of data that no longer serves a purpose."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


@task()
def forget_stale_data_task() -> dict[str, int]:
    """Drop expired sign-ups and links; then queue tomorrow's run."""
    from clientela.consent.services.privacy import forget_stale_data

    with transaction.atomic():
        counts = forget_stale_data()
    schedule_daily_clean_up(after_run=True)
    return counts


def schedule_daily_clean_up(*, after_run: bool = False) -> bool:
    """Queue the next clean-up (in a day) unless one is already waiting; True if queued."""
    waiting = DBTaskResult.objects.filter(
        task_path=forget_stale_data_task.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return False
    delay = timedelta(days=1) if after_run else timedelta(minutes=5)
    forget_stale_data_task.using(run_after=timezone.now() + delay).enqueue()
    return True
