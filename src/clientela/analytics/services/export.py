"""The metrics export (`clientela export metrics`, `clientela analytics export-metrics`): one row
of metrics per party.

Expected purchases and CLV can be asked over another horizon than the refresh's: they are then
recomputed from the last refresh's fitted models, in chunks, as the rows stream out.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.analytics import clv
from clientela.analytics.models import CustomerMetrics, RefreshRun
from clientela.analytics.queries import latest_run, visible_metrics
from clientela.analytics.services.config import analytics_config
from clientela.analytics.services.value import DISCOUNT_STEP_DAYS, daily_rate
from clientela.core.errors import invalid

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

MAX_HORIZON_DAYS = 36500

EXPORT_FIELDS = (
    "party_id", "external_id", "as_of", "currency", "recency_days", "frequency", "monetary",
    "tenure_days", "active_span_days", "occasions", "r_score", "f_score", "m_score",
    "rfm_segment", "lifecycle_state", "p_alive", "expected_purchases", "expected_spend", "clv",
    "tier", "horizon_days",
)  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """Spreadsheet-safe: text that a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _export_rows(
    rows: QuerySet[CustomerMetrics], horizon_days: int, run: RefreshRun | None
) -> Iterator[dict[str, Any]]:
    """Rows with expected purchases and CLV over `horizon_days`, from the last fitted models."""
    names = [f for f in EXPORT_FIELDS if f not in {"external_id", "horizon_days"}]
    refit = run is not None and run.bgnbd is not None and horizon_days != run.horizon_days
    bg = clv.BGNBDParams(**run.bgnbd) if refit and run and run.bgnbd else None
    gg = clv.GammaGammaParams(**run.gamma_gamma) if bg and run and run.gamma_gamma else None
    query = rows.order_by("party_id").values_list(
        *names, "party__external_id", "average_repeat_value"
    )
    chunk: list[dict[str, Any]] = []
    for values in query.iterator(chunk_size=5000):
        row = dict(zip([*names, "external_id", "average_repeat_value"], values, strict=True))
        chunk.append(row)
        if len(chunk) == 5000:
            yield from _over_horizon(chunk, horizon_days, bg, gg, run)
            chunk = []
    yield from _over_horizon(chunk, horizon_days, bg, gg, run)


def _over_horizon(
    chunk: list[dict[str, Any]],
    horizon_days: int,
    bg: clv.BGNBDParams | None,
    gg: clv.GammaGammaParams | None,
    run: RefreshRun | None,
) -> Iterator[dict[str, Any]]:
    if bg is not None and chunk:
        bought = [r for r in chunk if r["occasions"] and r["p_alive"] is not None]
        x = np.array([r["frequency"] for r in bought], dtype=np.float64)
        t_x = np.array([r["active_span_days"] for r in bought], dtype=np.float64)
        age = np.array([r["tenure_days"] for r in bought], dtype=np.float64)
        m = np.array([float(r["average_repeat_value"] or 0) for r in bought], dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            expected = clv.bgnbd_expected_purchases(bg, horizon_days, x, t_x, age)
            value = np.full(x.shape, np.nan)
            if gg is not None and len(bought):
                known = x > 0 if gg.q <= 1 else np.ones(x.shape, dtype=bool)
                value[known] = clv.customer_lifetime_value(
                    bg, gg, x[known], t_x[known], age[known], m[known],
                    horizon_periods=horizon_days,
                    discount_rate_per_period=daily_rate(run.discount_rate if run else 0.1),
                    step=DISCOUNT_STEP_DAYS,
                )  # fmt: skip
        for row, e, v in zip(bought, expected.tolist(), value.tolist(), strict=True):
            row["expected_purchases"] = round(e, 6) if e == e else None
            row["clv"] = round(v, 2) if v == v else None
    for row in chunk:
        row["horizon_days"] = horizon_days if run else None
        yield row


def export_metrics(
    out: SupportsWrite[str], *, horizon_days: int | None = None, user: User | None, fmt: str = "csv"
) -> int:
    """Write one row of metrics per party the user may see (None: every party); returns rows.

    Expected purchases and CLV are over `horizon_days` (default: the refresh's horizon),
    recomputed from the last refresh's fitted models when the horizon differs.
    """
    if fmt not in {"csv", "ndjson"}:
        raise invalid("format", fmt, _("must be “csv” or “ndjson”"), code="export_format_unknown")
    if horizon_days is not None and not 1 <= horizon_days <= MAX_HORIZON_DAYS:
        raise invalid(
            "horizon_days", horizon_days, _("must be between 1 and %(max)s"),
            code="horizon_days_out_of_range", max=MAX_HORIZON_DAYS,
        )  # fmt: skip
    run = latest_run()
    horizon = horizon_days or (run.horizon_days if run else analytics_config().horizon_days)
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
    if fmt == "csv":
        writer.writeheader()
    count = 0
    for row in _export_rows(visible_metrics(user), horizon, run):
        clean = {k: _plain(row.get(k)) for k in EXPORT_FIELDS}
        if fmt == "csv":
            writer.writerow({k: "" if v is None else _cell(v) for k, v in clean.items()})
        else:
            out.write(json.dumps(clean, separators=(",", ":")) + "\n")
        count += 1
    return count


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if value is not None and not isinstance(value, int | float | str):
        return float(value)  # Decimal amounts
    return value
