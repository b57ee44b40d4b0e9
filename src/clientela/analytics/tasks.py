"""Background tasks of customer analytics: the nightly refresh (the models fitted again), which
queues its next run, and the update of the customers whose orders changed in large numbers."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

REFRESH_HOUR = time(2, 0)


@task()
def refresh_metrics_task() -> dict[str, object]:
    """Refresh every party's metrics, then queue tomorrow's run."""
    from clientela.analytics.services.refresh import refresh_metrics

    with transaction.atomic():
        run = refresh_metrics()
    schedule_daily_refresh(after=timezone.now())
    return {"as_of": run.as_of.isoformat(), "parties": run.parties, "timings": run.timings}


@task()
def update_metrics_task(party_ids: list[int], changed_at: str | None = None) -> dict[str, int]:
    """Recompute the metrics of these parties (an import's slice of customers), but those
    computed again since `changed_at` (ISO), when their orders changed."""
    from clientela.analytics.services.freshness import update_metrics

    since = datetime.fromisoformat(changed_at) if changed_at else None
    return {"parties": len(party_ids), "rows": update_metrics(party_ids, changed_at=since)}


def queue_metrics_update(party_ids: Collection[int]) -> None:
    """Queue the update of these parties' metrics, whose orders changed just now (committed)."""
    update_metrics_task.enqueue(sorted(party_ids), timezone.now().isoformat())


def next_run_time(now: datetime) -> datetime:
    """The next 02:00 in the server's time zone strictly after `now`."""
    local = timezone.localtime(now)
    candidate = local.replace(
        hour=REFRESH_HOUR.hour, minute=REFRESH_HOUR.minute, second=0, microsecond=0
    )
    if candidate <= local:
        candidate += timedelta(days=1)  # wall-clock arithmetic: still 02:00 across DST changes
    return candidate.astimezone(UTC)


def schedule_daily_refresh(*, after: datetime | None = None) -> bool:
    """Queue the next daily refresh unless one is already waiting; True if one was queued."""
    waiting = DBTaskResult.objects.filter(
        task_path=refresh_metrics_task.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    )
    if after is None and waiting.exists():
        return False
    if after is not None and waiting.exclude(status=TaskResultStatus.RUNNING).exists():
        return False
    refresh_metrics_task.using(run_after=next_run_time(after or timezone.now())).enqueue()
    return True
