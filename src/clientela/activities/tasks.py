"""Background tasks of activities: the daily e-mail digest."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from clientela.core.schedules import queue_daily


@task()
def send_digests_task() -> int:
    """Mail today's digests; then queue tomorrow's run."""
    from clientela.activities.services import send_digests

    with transaction.atomic():
        sent = send_digests()
    schedule_daily_digest(after_run=True)
    return sent


def schedule_daily_digest(*, after_run: bool = False) -> bool:
    """Queue the next digest run (in a day) unless one is already waiting; True if queued."""
    return queue_daily(send_digests_task, after_run=after_run)
