"""`clientela worker`: runs background tasks (django-tasks-db's worker, same options)."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "Run the background task worker (queued tasks and schedules) until stopped."
