"""`clientela worker`: runs background tasks (django-tasks-db's worker, same options) and the
registered worker steps (the outbox) in turns; `--batch` drains both and exits."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import close_old_connections, transaction
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker

from clientela.core.schedules import queue_scheduled_tasks
from clientela.core.workers import run_worker_steps

# The parent logs its start and its end of each batch; in rounds these would repeat forever.
ROUND_NOISE = ("Starting worker", "No more tasks to run")


class _QuietRounds(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.rounds = 0

    def filter(self, record: logging.LogRecord) -> bool:
        return self.rounds == 0 or not str(record.msg).startswith(ROUND_NOISE)


class TurnsWorker(Worker):
    """django-tasks-db's worker, taking turns with the registered steps.

    Each round drains the task queue (the parent's batch loop), then runs every step until it
    has nothing left or the worker is asked to stop; a step in progress counts as a running
    task, so SIGTERM lets it finish the message in hand instead of exiting mid-send.
    """

    def __init__(self, *, forever: bool, **options: Any) -> None:
        super().__init__(**{**options, "batch": True})
        self.forever = forever
        self.quiet = _QuietRounds()
        logging.getLogger("django_tasks_db").addFilter(self.quiet)

    def _stopping(self) -> bool:
        return not self.running

    def run(self) -> None:
        while self.running:
            super().run()  # the queue's tasks, until none is ready
            self.startup_delay = False
            self.quiet.rounds += 1
            if not self.running:
                return
            self.running_task = True
            try:
                close_old_connections()
                done = run_worker_steps(self._stopping)
            finally:
                self.running_task = False
                close_old_connections()
            if not self.running:
                return
            if not done:
                if not self.forever:
                    return
                time.sleep(self.interval)


class Command(DbWorkerCommand):
    help = (
        "Run the background worker (queued tasks, daily schedules, the outbox) until stopped;"
        " --batch: until nothing is left."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            names = queue_scheduled_tasks()
        if names and options.get("verbosity", 1):
            self.stderr.write(f"Scheduled: {', '.join(names)}")
        if options.get("reload"):
            super().handle(*args, **options)
            return
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        worker = TurnsWorker(
            forever=not options["batch"],
            queue_names=queue_names,
            interval=options["interval"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        worker.run()
