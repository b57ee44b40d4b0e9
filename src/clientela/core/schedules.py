"""Recurring background work: each feature registers how to queue its next run.

django-tasks has no clock of its own, so `clientela worker` calls every registered function
when it starts; each queues its task's next run unless one is already waiting, and the task
queues the following one when it finishes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult

SCHEDULES: dict[str, Callable[[], Any]] = {}


def register_schedule(name: str, queue_next_run: Callable[[], Any]) -> None:
    """Make `clientela worker` queue this recurring task when it starts."""
    SCHEDULES[name] = queue_next_run


def queue_scheduled_tasks() -> list[str]:
    """Queue the next run of every registered recurring task; returns their names."""
    for queue_next_run in SCHEDULES.values():
        queue_next_run()
    return sorted(SCHEDULES)


def queue_daily(task: Task[[], Any], *, after_run: bool) -> bool:
    """Queue the task's next run unless one is already waiting; True if one was queued.

    Its next run is a day after the last one finished, or in five minutes when a starting
    worker finds none waiting.
    """
    waiting = DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY)
    if waiting.exists():
        return False
    delay = timedelta(days=1) if after_run else timedelta(minutes=5)
    task.using(run_after=timezone.now() + delay).enqueue()
    return True
