"""Background tasks of consent: the daily clean-up of data that no longer serves a purpose."""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from clientela.core.schedules import queue_daily


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
    return queue_daily(forget_stale_data_task, after_run=after_run)
