"""The daily refresh task: at 02:00, queued once, and queuing its next run."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django_tasks_db.models import DBTaskResult

from clientela.analytics.tasks import next_run_time, refresh_metrics_task, schedule_daily_refresh

pytestmark = pytest.mark.django_db


def test_the_next_run_is_the_coming_two_o_clock() -> None:
    assert next_run_time(datetime(2024, 5, 1, 1, 0, tzinfo=UTC)) == datetime(
        2024, 5, 1, 2, tzinfo=UTC
    )
    assert next_run_time(datetime(2024, 5, 1, 2, 0, tzinfo=UTC)) == datetime(
        2024, 5, 2, 2, tzinfo=UTC
    )


def test_scheduling_twice_queues_one_refresh() -> None:
    assert schedule_daily_refresh() is True
    assert schedule_daily_refresh() is False
    queued = DBTaskResult.objects.get(task_path=refresh_metrics_task.module_path)
    assert queued.run_after.hour == 2


def test_the_refresh_task_refreshes_and_queues_tomorrow_s_run() -> None:
    result = refresh_metrics_task.func()
    assert result["parties"] == 0
    assert DBTaskResult.objects.filter(task_path=refresh_metrics_task.module_path).count() == 1
