"""The refresh: aggregate, score, fit, predict, derive lifecycle states, write back in bulk.

The adapter (command or task) owns the transaction; a refresh is all-or-nothing.
"""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.analytics.models import CustomerMetrics, LifecycleChange, RefreshRun
from clientela.analytics.services import lifecycle, rfm, value
from clientela.analytics.services.aggregation import (
    PurchaseHistories,
    active_party_ids,
    day_number,
    end_of,
    purchase_histories,
)
from clientela.analytics.services.config import (
    AnalyticsConfig,
    analytics_config,
    reporting_currency,
)
from clientela.analytics.services.order_reading import UnreadableValue, day_sql, integer_rows
from clientela.analytics.services.work_memory import work_memory
from clientela.analytics.services.writeback import dates, integers, nullable, write
from clientela.core.memory import memory_kept_for_reuse

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def today_utc() -> date:
    return timezone.now().astimezone(UTC).date()


@dataclass
class _Timer:
    """Seconds spent in each step, in the order they ran."""

    seconds: dict[str, float]
    started: float

    def lap(self, step: str) -> None:
        now = clock.perf_counter()
        self.seconds[step] = round(now - self.started, 3)
        self.started = now


@dataclass(frozen=True)
class _Customers:
    """Per customer with a purchase: position among all parties and the model inputs."""

    position: IntArray
    x: FloatArray
    t_x: FloatArray
    age: FloatArray
    days_since_last: FloatArray
    repeat_mean: FloatArray


def _customers(hist: PurchaseHistories, party_ids: IntArray, today: int) -> _Customers:
    position = np.searchsorted(party_ids, hist.party_id)
    x = (hist.occasions - 1).astype(np.float64)
    repeat_total = hist.total - hist.first_value
    return _Customers(
        position=position,
        x=x,
        t_x=(hist.last_day - hist.first_day).astype(np.float64),
        age=(today - hist.first_day).astype(np.float64),
        days_since_last=(today - hist.last_day).astype(np.float64),
        repeat_mean=np.where(x > 0, repeat_total / np.maximum(x, 1.0), 0.0),
    )


def _keep_visible(hist: PurchaseHistories, party_ids: IntArray) -> PurchaseHistories:
    """Drop the histories of archived parties (they get no metrics row)."""
    keep = np.isin(hist.party_id, party_ids, assume_unique=True)
    if keep.all():
        return hist
    return replace(
        hist, party_id=hist.party_id[keep], occasions=hist.occasions[keep],
        first_day=hist.first_day[keep], last_day=hist.last_day[keep], total=hist.total[keep],
        first_value=hist.first_value[keep],
    )  # fmt: skip


def _spread(n: int, where: IntArray, values: npt.ArrayLike, fill: Any, dtype: Any) -> Any:
    out = np.full(n, fill, dtype=dtype)
    out[where] = values
    return out


def _previous(party_ids: IntArray) -> lifecycle.Previous:
    """Each party's state, last purchase day and state start day from the current rows."""
    n = party_ids.size
    state = np.full(n, lifecycle.NO_STATE, dtype=np.int8)
    last = np.full(n, -1, dtype=np.int64)
    since = np.zeros(n, dtype=np.int64)
    q = connection.ops.quote_name
    # States as their position in STATES and dates as day numbers, computed by the database:
    # a million rows then arrive as plain integers.
    code = " ".join(f"WHEN %s THEN {i}" for i in range(len(lifecycle.STATES)))
    with connection.cursor() as cursor:
        rows = integer_rows(
            cursor,
            [
                "party_id",
                f"CASE lifecycle_state {code} ELSE {lifecycle.NO_STATE} END",
                f"COALESCE({day_sql('last_purchase_at', date_only=True)}, -1)",
                day_sql("state_since", date_only=True),
            ],
            f"FROM {q(CustomerMetrics._meta.db_table)}",
            list(lifecycle.STATES),
            unreadable=UnreadableValue(
                "metrics_date_unreadable",
                _("state_since: a metrics row holds a value that is not a date"),
            ),
        )
    found = np.isin(rows[:, 0], party_ids)
    where = np.searchsorted(party_ids, rows[found, 0])
    state[where] = rows[found, 1]
    last[where] = rows[found, 2]
    since[where] = rows[found, 3]
    return lifecycle.Previous(state, last, since)


def _record_changes(
    party_ids: IntArray,
    before: npt.NDArray[np.int8],
    after: npt.NDArray[np.int8],
    *,
    as_of: date,
    at: datetime,
) -> int:
    changed = np.flatnonzero(before != after)
    LifecycleChange.objects.bulk_create(
        (
            LifecycleChange(
                party_id=int(party_ids[i]),
                from_state=lifecycle.STATES[int(before[i])],
                to_state=lifecycle.STATES[int(after[i])],
                as_of=as_of,
                at=at,
            )
            for i in changed
        ),
        batch_size=5000,
    )
    return int(changed.size)


@dataclass(frozen=True)
class _Outcome:
    """Everything computed for the customers with a purchase, before it is spread to parties."""

    hist: PurchaseHistories
    customers: _Customers
    scores: tuple[npt.NDArray[np.int8], npt.NDArray[np.int8], npt.NDArray[np.int8]]
    segments: npt.NDArray[np.int8]
    predictions: value.Predictions
    tiers: npt.NDArray[np.int8]
    cutoffs: dict[str, Any]


def _columns(
    out: _Outcome,
    party_ids: IntArray,
    states: npt.NDArray[np.int8],
    since: IntArray,
    *,
    as_of: date,
    started_at: datetime,
    config: AnalyticsConfig,
) -> dict[str, Any]:
    """The metrics table's columns, one entry per party (NULL where a party has no purchase)."""
    n, where, c, hist, p = (
        party_ids.size,
        out.customers.position,
        out.customers,
        out.hist,
        out.predictions,
    )

    def spread(values: npt.ArrayLike, fill: Any = np.nan, dtype: Any = np.float64) -> Any:
        return _spread(n, where, values, fill, dtype)

    occasions = spread(hist.occasions, 0, np.int64)
    r, f, m = out.scores
    segment_names = np.array([*rfm.SEGMENTS, ""], dtype=object)
    tier_names = np.array([*(t.name for t in config.tiers), ""], dtype=object)
    return {
        "party_id": party_ids.tolist(),
        "as_of": as_of.isoformat(),
        "computed_at": connection.ops.adapt_datetimefield_value(started_at),
        "currency": config.currency,
        "occasions": occasions.tolist(),
        "frequency": np.maximum(occasions - 1, 0).tolist(),
        "recency_days": integers(spread(c.days_since_last)),
        "active_span_days": integers(spread(c.t_x)),
        "tenure_days": integers(spread(c.age)),
        "monetary": nullable(spread(hist.total), digits=2),
        "average_repeat_value": nullable(
            spread(np.where(c.x > 0, c.repeat_mean, np.nan)), digits=2
        ),
        "first_purchase_at": dates(spread(hist.first_day, -1, np.int64), missing=-1),
        "last_purchase_at": dates(spread(hist.last_day, -1, np.int64), missing=-1),
        "r_score": integers(spread(r)),
        "f_score": integers(spread(f)),
        "m_score": integers(spread(m)),
        "rfm_segment": segment_names[spread(out.segments, -1, np.int64)].tolist(),
        "p_alive": nullable(spread(p.p_alive)),
        "expected_purchases": nullable(spread(p.expected_purchases)),
        "expected_spend": nullable(spread(p.expected_spend), digits=2),
        "clv": nullable(spread(p.clv), digits=2),
        "tier": tier_names[spread(out.tiers, -1, np.int64)].tolist(),
        "lifecycle_state": np.array(lifecycle.STATES, dtype=object)[states].tolist(),
        "state_since": dates(since),
        "unconverted_orders": _unconverted_per_party(hist, party_ids),
    }


def _unconverted_per_party(hist: PurchaseHistories, party_ids: IntArray) -> list[int]:
    """Each party's orders that no exchange rate converted (0 for nearly everyone)."""
    counts = np.zeros(party_ids.size, dtype=np.int64)
    known = np.isin(hist.unconverted_party_id, party_ids, assume_unique=True)
    where = np.searchsorted(party_ids, hist.unconverted_party_id[known])
    counts[where] = hist.unconverted_orders[known]
    return counts.tolist()


def unconverted_report(hist: PurchaseHistories) -> list[dict[str, Any]]:
    """The orders no rate converted, per currency, as the run records them (JSON)."""
    return [
        {
            "currency": u.currency,
            "orders": u.orders,
            "value": u.value,
            "first_day": u.first_day.isoformat(),
            "last_day": u.last_day.isoformat(),
        }
        for u in hist.unconverted
    ]


def _analyse(
    hist: PurchaseHistories, party_ids: IntArray, today: int, config: AnalyticsConfig
) -> _Outcome:
    """Score, fit and predict for the customers with a purchase."""
    c = _customers(hist, party_ids, today)
    scores = rfm.rfm_scores(c.days_since_last, hist.occasions, hist.total)
    predictions = value.predict(
        c.x, c.t_x, c.age, c.repeat_mean,
        horizon_days=config.horizon_days, yearly_discount_rate=config.discount_rate,
    )  # fmt: skip
    return _Outcome(
        hist=hist,
        customers=c,
        scores=scores,
        segments=rfm.segment_codes(scores[0], scores[1]),
        predictions=predictions,
        tiers=value.tier_codes(predictions.clv, config.tiers),
        cutoffs=cutoffs_of(hist, predictions, config),
    )


def cutoffs_of(
    hist: PurchaseHistories, predictions: value.Predictions, config: AnalyticsConfig
) -> dict[str, Any]:
    """Where this refresh put the RFM quintiles and the value tiers, kept with the run so that a
    customer updated later (an order recorded) is scored among all customers the same way.
    Recency is kept as the day of the last purchase: it does not move as the days pass."""
    return {
        "last_day": rfm.quintile_cutoffs(hist.last_day),
        "occasions": rfm.quintile_cutoffs(hist.occasions),
        "monetary": rfm.quintile_cutoffs(hist.total),
        "clv": value.tier_cutoffs(predictions.clv, config.tiers),
    }


def _lifecycle(
    out: _Outcome,
    party_ids: IntArray,
    *,
    today: int,
    moving_forward: bool,
    config: AnalyticsConfig,
    previous_of: Callable[[IntArray], lifecycle.Previous] = _previous,
) -> tuple[lifecycle.Previous, npt.NDArray[np.int8], IntArray]:
    """Previous states, new states and the day each new state began, one entry per party
    (`previous_of` reads the stored states: every row's, or only those parties')."""
    n, where, c, bg = party_ids.size, out.customers.position, out.customers, out.predictions.bgnbd
    gap = lifecycle.typical_gap(
        c.x, c.t_x, r=bg.r if bg else None, alpha=bg.alpha if bg else None,
        default=config.lifecycle.default_gap_days,
    )  # fmt: skip
    histories = lifecycle.Histories(
        occasions=_spread(n, where, out.hist.occasions, 0, np.int64),
        days_since_last=_spread(n, where, c.days_since_last, np.nan, np.float64),
        tenure_days=_spread(n, where, c.age, np.nan, np.float64),
        gap_days=_spread(n, where, gap, np.nan, np.float64),
        p_alive=_spread(n, where, out.predictions.p_alive, np.nan, np.float64),
        last_day=_spread(n, where, out.hist.last_day, -1, np.int64),
    )
    if moving_forward:
        previous = previous_of(party_ids)
        # A party that had no row yet was, as far as anyone knew, a potential customer.
        fresh = previous.state == lifecycle.NO_STATE
        previous.state[fresh] = lifecycle.POTENTIAL
        previous.since_day[fresh] = today
    else:
        previous = lifecycle.Previous(
            np.full(n, lifecycle.NO_STATE, dtype=np.int8),
            np.full(n, -1, dtype=np.int64),
            np.zeros(n, dtype=np.int64),
        )
    states, since = lifecycle.next_states(histories, previous, today=today, rules=config.lifecycle)
    return previous, states, since


def refresh_metrics(
    *, as_of: date | None = None, config: AnalyticsConfig | None = None
) -> RefreshRun:
    """Recompute every party's metrics as if `as_of` (default: today, UTC) were today.

    Orders after the as-of day are ignored. Lifecycle changes are recorded when time moves
    forward from the previous refresh (or stays on the same day); a back-test of an earlier
    day rewrites the metrics but leaves the recorded history alone.
    """
    started_at = timezone.now()
    timer = _Timer({}, clock.perf_counter())
    if config is None:
        chosen = reporting_currency()
        config = replace(analytics_config(), currency=chosen.code, currency_source=chosen.source)
    as_of = as_of or today_utc()
    today = day_number(as_of)
    last_run = RefreshRun.objects.order_by("-finished_at", "-id").first()
    moving_forward = last_run is not None and as_of >= last_run.as_of

    with memory_kept_for_reuse(), work_memory():
        party_ids = active_party_ids()
        hist = purchase_histories(as_of=as_of, currency=config.currency)
        timer.seconds["order_readers"] = hist.readers
        hist = _keep_visible(hist, party_ids)
        timer.lap("aggregate")
        out = _analyse(hist, party_ids, today, config)
        timer.lap("score_fit_predict")
        previous, states, since = _lifecycle(
            out, party_ids, today=today, moving_forward=moving_forward, config=config
        )
        changes = 0
        if moving_forward:
            at = min(timezone.now(), end_of(as_of) - timedelta(seconds=1))
            changes = _record_changes(party_ids, previous.state, states, as_of=as_of, at=at)
        timer.lap("lifecycle")
        columns = _columns(
            out, party_ids, states, since, as_of=as_of, started_at=started_at, config=config
        )
        indexing = write(columns, party_ids.size)
        timer.lap("write")
        timer.seconds["write_indexes"] = round(indexing, 3)
    bg, gg = out.predictions.bgnbd, out.predictions.gamma_gamma
    return RefreshRun.objects.create(
        as_of=as_of,
        started_at=started_at,
        finished_at=timezone.now(),
        currency=config.currency,
        currency_source=config.currency_source,
        horizon_days=config.horizon_days,
        discount_rate=config.discount_rate,
        parties=party_ids.size,
        customers=int(hist.party_id.size),
        excluded_orders=hist.excluded_orders,
        unconverted=unconverted_report(hist),
        lifecycle_changes=changes,
        bgnbd=asdict(bg) if bg else None,
        gamma_gamma=asdict(gg) if gg else None,
        cutoffs=out.cutoffs,
        timings=timer.seconds,
    )
