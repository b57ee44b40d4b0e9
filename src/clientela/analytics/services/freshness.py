"""Metrics that never go stale: a customer's row recomputed as soon as their orders change.

Commerce tells the orders listeners (core.registries) which parties' orders changed once the
write commits; analytics' listener (apps.py) has `orders_changed` recompute those parties' rows
at once when they are few (after the commit, in the writer's process), or queues
`update_metrics_task` when they are many (an import's slice). Either way `update_metrics` does
it set-based: the refresh's own aggregation restricted to those parties
(`purchase_histories(party_ids=...)`), then RFM scores and value tiers placed among all
customers with the last refresh's cut-offs, P(alive), expected purchases and CLV with its fitted
parameters, and the lifecycle moved on from each party's stored state. The nightly refresh fits
the models again.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import DatabaseError
from django.utils import timezone

from clientela.analytics.clv import BGNBDParams, GammaGammaParams
from clientela.analytics.models import CustomerMetrics, RefreshRun
from clientela.analytics.services import lifecycle, rfm, value
from clientela.analytics.services.aggregation import (
    PurchaseHistories,
    day_number,
    purchase_histories,
)
from clientela.analytics.services.config import AnalyticsConfig, analytics_config
from clientela.analytics.services.refresh import (
    _columns,
    _customers,
    _keep_visible,
    _lifecycle,
    _Outcome,
    _record_changes,
    today_utc,
)
from clientela.analytics.services.writeback import COLUMNS, replace_rows
from clientela.core.database import write_slice
from clientela.parties.models import Party

logger = logging.getLogger(__name__)
IntArray = npt.NDArray[np.int64]
# Parties computed, then stored in one short transaction.
PARTIES_PER_SLICE = 2000
DECIMALS = {"monetary", "average_repeat_value", "expected_spend", "clv"}
CENT = Decimal("0.01")
FIELDS = {f.attname: f for f in CustomerMetrics._meta.concrete_fields}


def orders_changed(party_ids: frozenset[int]) -> None:
    """Update these parties' metrics now; when the database is too busy, in the worker."""
    try:
        update_metrics(party_ids)
    except DatabaseError:  # the worker does it a moment later
        logger.warning("metrics of %d parties queued: not updated inline", len(party_ids))
        queue_update(party_ids)


def queue_update(party_ids: Collection[int]) -> None:
    """Queue the update of these parties' metrics for the worker."""
    from clientela.analytics.tasks import queue_metrics_update

    queue_metrics_update(party_ids)


def update_metrics(
    party_ids: Collection[int], *, as_of: date | None = None, changed_at: datetime | None = None
) -> int:
    """Recompute and store the metrics of these parties, PARTIES_PER_SLICE at a time: each
    slice is computed first, reading only, then stored in a short transaction of its own (on
    SQLite the write lock is held for the writing alone). Archived or unknown parties lose
    their row. Returns the rows written.

    With `changed_at` (when their orders' change was committed), a party whose row was computed
    after it is fresh already and left alone: an import's slices queue one update each, mostly
    of the same customers, and the first to run does them all.
    """
    ids = sorted({int(pk) for pk in party_ids})
    run = _last_run()
    written = 0
    for start in range(0, len(ids), PARTIES_PER_SLICE):
        part = ids[start : start + PARTIES_PER_SLICE]
        if changed_at is not None:
            fresh = CustomerMetrics.objects.filter(party_id__in=part, computed_at__gt=changed_at)
            done = set(fresh.values_list("party_id", flat=True))
            part = [pk for pk in part if pk not in done]
            if not part:
                continue
        computed = _computed_slice(part, run, as_of or today_utc())
        with write_slice():
            written += _store(computed)
    return written


def _last_run() -> RefreshRun | None:
    return RefreshRun.objects.order_by("-finished_at", "-id").first()


@dataclass(frozen=True)
class _Slice:
    """One slice of parties, computed and ready to store."""

    party_ids: list[int]
    active: IntArray
    previous: npt.NDArray[np.int8]
    states: npt.NDArray[np.int8]
    columns: dict[str, Any]
    as_of: date
    at: datetime


def _computed_slice(party_ids: list[int], run: RefreshRun | None, as_of: date) -> _Slice:
    active = np.array(
        sorted(Party.objects.filter(pk__in=party_ids, archived_at__isnull=True).values_list(
            "pk", flat=True
        )),
        dtype=np.int64,
    )  # fmt: skip
    started_at = timezone.now()
    config = _config(run)
    out, previous, states, since = _computed(active, run, as_of, config, moving_forward=True)
    columns = _columns(
        out, active, states, since, as_of=as_of, started_at=started_at, config=config
    )
    return _Slice(party_ids, active, previous.state, states, columns, as_of, started_at)


def _store(computed: _Slice) -> int:
    _record_changes(
        computed.active, computed.previous, computed.states, as_of=computed.as_of, at=computed.at
    )
    replace_rows(computed.columns, computed.active.size, computed.party_ids)
    return int(computed.active.size)


def _config(run: RefreshRun | None) -> AnalyticsConfig:
    """Today's settings, with the currency, horizon and discount of the last refresh: the
    updated rows stay comparable with the others."""
    config = analytics_config()
    if run is None:
        return config
    return replace(
        config,
        currency=run.currency,
        horizon_days=run.horizon_days,
        discount_rate=run.discount_rate,
    )


def _computed(
    party_ids: IntArray,
    run: RefreshRun | None,
    as_of: date,
    config: AnalyticsConfig,
    *,
    moving_forward: bool,
) -> tuple[_Outcome, lifecycle.Previous, npt.NDArray[np.int8], IntArray]:
    today = day_number(as_of)
    hist = purchase_histories(as_of=as_of, currency=config.currency, party_ids=party_ids.tolist())
    out = _outcome(_keep_visible(hist, party_ids), party_ids, today, run, config)
    previous, states, since = _lifecycle(
        out, party_ids, today=today, moving_forward=moving_forward, config=config,
        previous_of=_previous_of,
    )  # fmt: skip
    return out, previous, states, since


def _outcome(
    hist: PurchaseHistories,
    party_ids: IntArray,
    today: int,
    run: RefreshRun | None,
    config: AnalyticsConfig,
) -> _Outcome:
    """Scores, predictions and tiers of these customers, placed among all customers with the
    last refresh's cut-offs and parameters (none before the first refresh)."""
    c = _customers(hist, party_ids, today)
    cut: dict[str, Any] = (run.cutoffs or {}) if run is not None else {}
    n = hist.party_id.size
    if {"last_day", "occasions", "monetary"} <= cut.keys():
        scores = (
            rfm.scores_from_cutoffs(hist.last_day, cut["last_day"]),
            rfm.scores_from_cutoffs(hist.occasions, cut["occasions"]),
            rfm.scores_from_cutoffs(hist.total, cut["monetary"]),
        )
        segments = rfm.segment_codes(scores[0], scores[1])
    else:  # no refresh yet: nobody to be scored against
        scores = tuple(np.full(n, np.nan) for _ in range(3))  # type: ignore[assignment]  # NaN scores are written as NULL
        segments = np.full(n, -1, dtype=np.int8)
    predictions = value.predict_with(
        BGNBDParams(**run.bgnbd) if run is not None and run.bgnbd else None,
        GammaGammaParams(**run.gamma_gamma) if run is not None and run.gamma_gamma else None,
        c.x, c.t_x, c.age, c.repeat_mean,
        horizon_days=config.horizon_days, yearly_discount_rate=config.discount_rate,
    )  # fmt: skip
    return _Outcome(
        hist=hist,
        customers=c,
        scores=scores,
        segments=segments,
        predictions=predictions,
        tiers=value.tier_codes(predictions.clv, config.tiers, cuts=cut.get("clv") or []),
        cutoffs=cut,
    )


def _previous_of(party_ids: IntArray) -> lifecycle.Previous:
    """The stored state, last purchase day and state start day of these parties only."""
    n = party_ids.size
    state = np.full(n, lifecycle.NO_STATE, dtype=np.int8)
    last = np.full(n, -1, dtype=np.int64)
    since = np.zeros(n, dtype=np.int64)
    rows = CustomerMetrics.objects.filter(party_id__in=party_ids.tolist()).values_list(
        "party_id", "lifecycle_state", "last_purchase_at", "state_since"
    )
    for party_id, state_name, last_purchase, state_since in rows:
        i = int(np.searchsorted(party_ids, party_id))
        if state_name in lifecycle.STATES:
            state[i] = lifecycle.STATES.index(state_name)
        last[i] = day_number(last_purchase) if last_purchase is not None else -1
        since[i] = day_number(state_since)
    return lifecycle.Previous(state, last, since)


def current_metrics(party: Party) -> CustomerMetrics:
    """What is known of one party now, computed but not stored: the metrics of a party that has
    no row yet (a new customer; or before any refresh)."""
    run = _last_run()
    config = _config(run)
    as_of = today_utc()
    ids = np.array([party.pk], dtype=np.int64)
    out, _previous, states, since = _computed(ids, run, as_of, config, moving_forward=True)
    columns = _columns(
        out, ids, states, since, as_of=as_of, started_at=timezone.now(), config=config
    )
    values: dict[str, Any] = {}
    for name in COLUMNS:
        raw = columns[name][0] if isinstance(columns[name], list) else columns[name]
        if name in DECIMALS:
            values[name] = None if raw is None else Decimal(str(raw)).quantize(CENT)
        elif name != "computed_at":
            values[name] = FIELDS[name].to_python(raw)
    return CustomerMetrics(**values, computed_at=timezone.now())


__all__ = ["current_metrics", "orders_changed", "queue_update", "update_metrics"]
