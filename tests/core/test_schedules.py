from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings

from clientela.core.schedules import SCHEDULES, queue_scheduled_tasks


@pytest.mark.django_db
def test_starting_the_worker_queues_each_daily_task_once(settings: Settings) -> None:
    # The bounce mailbox is read only when it is configured (tests/messaging: never otherwise).
    settings.CLIENTELA_BOUNCE_IMAP_URL = "imaps://user:password@mail.example/INBOX"
    assert {"analytics.refresh", "consent.clean_up"} <= set(SCHEDULES)
    queue_scheduled_tasks()
    queue_scheduled_tasks()  # a restarted worker must not queue them twice
    paths = list(DBTaskResult.objects.values_list("task_path", flat=True))
    assert sorted(paths) == sorted(set(paths))
    assert len(paths) == len(SCHEDULES)
