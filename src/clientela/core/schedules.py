"""Recurring background work: each feature registers how to queue its next run.

django-tasks has no clock of its own, so `clientela worker` calls every registered function
when it starts; each queues its task's next run unless one is already waiting, and the task
queues the following one when it finishes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SCHEDULES: dict[str, Callable[[], Any]] = {}


def register_schedule(name: str, queue_next_run: Callable[[], Any]) -> None:
    """Make `clientela worker` queue this recurring task when it starts."""
    SCHEDULES[name] = queue_next_run


def queue_scheduled_tasks() -> list[str]:
    """Queue the next run of every registered recurring task; returns their names."""
    for queue_next_run in SCHEDULES.values():
        queue_next_run()
    return sorted(SCHEDULES)
