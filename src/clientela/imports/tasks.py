"""Background tasks: large web imports run here, away from the request."""

from __future__ import annotations

from django_tasks import task

from clientela.imports import services


@task()
def run_import_task(run_id: int) -> None:
    """Run a queued web import."""
    services.run_queued(run_id)
