from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from clientela.core.schedules import SCHEDULES, queue_scheduled_tasks


@pytest.mark.django_db
def test_starting_the_worker_queues_each_daily_task_once() -> None:
    assert {"analytics.refresh", "consent.clean_up"} <= set(SCHEDULES)
    queue_scheduled_tasks()
    queue_scheduled_tasks()  # a restarted worker must not queue them twice
    paths = list(DBTaskResult.objects.values_list("task_path", flat=True))
    assert sorted(paths) == sorted(set(paths))
    assert len(paths) == len(SCHEDULES)
