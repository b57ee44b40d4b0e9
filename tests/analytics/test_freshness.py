"""A customer's metrics follow their orders without a refresh (analytics.services.freshness)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clientela.analytics import apps as analytics_apps
from clientela.analytics.models import CustomerMetrics, LifecycleChange, RefreshRun
from clientela.analytics.services import rfm
from clientela.analytics.services.freshness import current_metrics, update_metrics
from clientela.analytics.services.refresh import refresh_metrics, today_utc
from clientela.analytics.tasks import update_metrics_task
from clientela.commerce.services import orders_changed
from tests.analytics.conftest import AS_OF, Crowd, buy
from tests.factories import make_party

pytestmark = pytest.mark.django_db
Capture = Callable[..., Any]


def rows() -> dict[int, dict[str, Any]]:
    return {
        m.party_id: {k: v for k, v in model_to_dict(m).items() if k != "computed_at"}
        for m in CustomerMetrics.objects.all()
    }


def test_updating_every_customer_on_the_refresh_s_day_gives_the_refresh_s_rows(
    crowd: Crowd,
) -> None:
    parties = crowd(60)
    make_party()  # a party with no purchase
    refresh_metrics(as_of=AS_OF)
    refreshed = rows()
    assert update_metrics([p.pk for p in parties], as_of=AS_OF) == len(parties)
    assert rows() == refreshed
    assert not LifecycleChange.objects.filter(at__gt=RefreshRun.objects.get().finished_at)


def test_quintile_cutoffs_reproduce_the_quintile_scores() -> None:
    for values in ([3.0], [1.0, 1.0, 2.0], [5, 1, 4, 4, 2, 9, 9, 9, 0, 3, 7], list(range(101))):
        assert (
            rfm.scores_from_cutoffs(values, rfm.quintile_cutoffs(values))
            == rfm.quintile_scores(values)
        ).all()


def test_a_new_order_updates_the_customer_with_the_last_fitted_parameters(
    crowd: Crowd, django_capture_on_commit_callbacks: Capture
) -> None:
    parties = crowd(60)
    refresh_metrics(as_of=AS_OF)
    run = RefreshRun.objects.get()
    assert run.bgnbd is not None
    assert set(run.cutoffs) == {"last_day", "occasions", "monetary", "clv"}
    customer = parties[0]
    before = CustomerMetrics.objects.get(party=customer)
    with django_capture_on_commit_callbacks(execute=True):
        buy(customer, today_utc(), total="500.00")
        orders_changed([customer.pk])
    after = CustomerMetrics.objects.get(party=customer)
    assert after.occasions == before.occasions + 1
    assert after.monetary == (before.monetary or 0) + Decimal("500.00")
    assert after.last_purchase_at == today_utc()
    assert after.recency_days == 0
    assert after.as_of == today_utc()
    assert after.r_score == 5  # the most recent purchase of everyone's
    assert after.p_alive is not None
    assert after.clv is not None
    assert RefreshRun.objects.count() == 1  # no refit


def test_a_party_with_no_row_gets_what_is_known_without_storing_it() -> None:
    party = make_party()
    metrics = current_metrics(party)
    assert (metrics.party_id, metrics.lifecycle_state, metrics.occasions) == (
        party.pk,
        "potential",
        0,
    )
    assert (metrics.clv, metrics.r_score, metrics.rfm_segment) == (None, None, "")
    assert not CustomerMetrics.objects.exists()


def test_before_any_refresh_an_order_still_gives_the_customer_a_row() -> None:
    party = make_party()
    buy(party, date(2024, 3, 1), total="20.00")
    update_metrics([party.pk], as_of=AS_OF)
    row = CustomerMetrics.objects.get(party=party)
    assert (row.occasions, row.monetary, row.lifecycle_state) == (1, Decimal("20.00"), "inactive")
    assert (row.r_score, row.p_alive, row.clv) == (None, None, None)


def test_many_parties_are_queued_for_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analytics_apps, "INLINE_PARTIES", 2)
    parties = [make_party() for _ in range(3)]
    analytics_apps._orders_changed(frozenset(p.pk for p in parties))
    task = DBTaskResult.objects.get(task_path=update_metrics_task.module_path)
    assert task.args_kwargs["args"][0] == sorted(p.pk for p in parties)
    assert not CustomerMetrics.objects.exists()


def test_an_archived_party_loses_its_row() -> None:
    party = make_party()
    buy(party, date(2024, 3, 1))
    update_metrics([party.pk], as_of=AS_OF)
    party.archived_at = party.created_at
    party.save()
    with transaction.atomic():
        update_metrics([party.pk], as_of=AS_OF)
    assert not CustomerMetrics.objects.filter(party=party).exists()


def test_a_queued_update_leaves_alone_the_parties_computed_since(crowd: Crowd) -> None:
    parties = crowd(30)
    refresh_metrics(as_of=AS_OF)
    changed_at = timezone.now()
    update_metrics([parties[0].pk], as_of=AS_OF)  # computed after the change
    stale = CustomerMetrics.objects.get(party=parties[1]).computed_at
    written = update_metrics([p.pk for p in parties[:2]], as_of=AS_OF, changed_at=changed_at)
    assert written == 1
    assert CustomerMetrics.objects.get(party=parties[1]).computed_at > stale
