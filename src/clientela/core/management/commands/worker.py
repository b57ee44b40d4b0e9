"""`clientela worker`: runs background tasks (django-tasks-db's worker, same options)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from clientela.core.schedules import queue_scheduled_tasks


class Command(DbWorkerCommand):
    help = "Run the background task worker (queued tasks and daily schedules) until stopped."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            names = queue_scheduled_tasks()
        if names and options.get("verbosity", 1):
            self.stderr.write(f"Scheduled: {', '.join(names)}")
        super().handle(*args, **options)
