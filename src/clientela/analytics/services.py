"""Use cases of customer analytics: refresh, read a party's metrics, summarise, export, fit."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date
from typing import IO, Any

import numpy as np
import numpy.typing as npt
from django.db.models import Count, F, Q, QuerySet, Sum

from clientela.accounts.models import User
from clientela.analytics import clv, rfm
from clientela.analytics.config import analytics_config
from clientela.analytics.models import CustomerMetrics, LifecycleState, RefreshRun
from clientela.analytics.refresh import refresh_metrics
from clientela.analytics.summary_file import read_summary
from clientela.analytics.value import DISCOUNT_STEP_DAYS, daily_rate
from clientela.core.errors import invalid
from clientela.parties.models import Party
from clientela.parties.queries import get_visible_party, visible_parties

__all__ = [
    "analytics_summary",
    "export_metrics",
    "fit_summary",
    "latest_run",
    "party_metrics",
    "refresh_metrics",
    "visible_metrics",
]


def latest_run() -> RefreshRun | None:
    """The most recent refresh, or None before the first one."""
    return RefreshRun.objects.order_by("-finished_at", "-id").first()


def party_metrics(user: User, party_id: int) -> tuple[Party, CustomerMetrics | None]:
    """The party (if the user may see it, else NotFound) and its metrics (None before a refresh)."""
    party = get_visible_party(user, party_id)
    return party, CustomerMetrics.objects.filter(party=party).first()


def visible_metrics(user: User | None) -> QuerySet[CustomerMetrics]:
    """Metrics rows of the parties this user may see (all, for the operator's CLI: None)."""
    rows = CustomerMetrics.objects.all()
    if user is not None:
        rows = rows.filter(party__in=visible_parties(user))
    return rows


def analytics_summary(user: User) -> dict[str, Any]:
    """Counts by lifecycle state, RFM segment and grid cell and tier; revenue and value totals."""
    rows = visible_metrics(user)
    run = latest_run()
    totals = rows.aggregate(
        parties=Count("pk"),
        customers=Count("pk", filter=Q(occasions__gt=0)),
        repeat_customers=Count("pk", filter=Q(frequency__gt=0)),
        revenue=Sum("monetary"),
        repeat_customer_revenue=Sum("monetary", filter=Q(frequency__gt=0)),
        repeat_purchase_revenue=Sum(F("average_repeat_value") * F("frequency")),
        clv=Sum("clv"),
        expected_purchases=Sum("expected_purchases"),
    )
    revenue = float(totals["revenue"] or 0)
    grid = [[0] * 5 for _ in range(5)]
    for cell in (
        rows.filter(r_score__isnull=False).values("r_score", "f_score").annotate(n=Count("pk"))
    ):
        grid[cell["r_score"] - 1][cell["f_score"] - 1] = cell["n"]
    return {
        "as_of": run.as_of if run else None,
        "computed_at": run.finished_at if run else None,
        "currency": run.currency if run else analytics_config().currency,
        "horizon_days": run.horizon_days if run else None,
        "discount_rate": run.discount_rate if run else None,
        "excluded_orders": run.excluded_orders if run else 0,
        "parties": totals["parties"],
        "customers": totals["customers"],
        "repeat_customers": totals["repeat_customers"],
        "revenue": round(revenue, 2),
        "repeat_customer_revenue_share": _share(totals["repeat_customer_revenue"], revenue),
        "repeat_purchase_revenue_share": _share(totals["repeat_purchase_revenue"], revenue),
        "total_clv": round(float(totals["clv"] or 0), 2),
        "expected_purchases": round(float(totals["expected_purchases"] or 0), 2),
        "lifecycle": _counts(rows, "lifecycle_state", LifecycleState.values),
        "rfm_segments": _counts(rows.exclude(rfm_segment=""), "rfm_segment", list(rfm.SEGMENTS)),
        "rfm_grid": grid,
        "tiers": _counts(rows.exclude(tier=""), "tier", [t.name for t in analytics_config().tiers]),
        "bgnbd": run.bgnbd if run else None,
        "gamma_gamma": run.gamma_gamma if run else None,
    }


def _share(part: Any, whole: float) -> float | None:
    return round(float(part or 0) / whole, 4) if whole else None


def _counts(rows: QuerySet[CustomerMetrics], field: str, keys: list[str]) -> dict[str, int]:
    found = {r[field]: r["n"] for r in rows.values(field).annotate(n=Count("pk")).order_by()}
    return {key: found.get(key, 0) for key in keys} | {
        k: v for k, v in found.items() if k not in keys
    }


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
    out: IO[str], *, horizon_days: int | None = None, user: User | None, fmt: str = "csv"
) -> int:
    """Write one row of metrics per party the user may see (None: every party); returns rows.

    Expected purchases and CLV are over `horizon_days` (default: the refresh's horizon),
    recomputed from the last refresh's fitted models when the horizon differs.
    """
    if fmt not in {"csv", "ndjson"}:
        raise invalid("format", fmt, "must be csv or ndjson")
    if horizon_days is not None and not 1 <= horizon_days <= 36500:
        raise invalid("horizon_days", horizon_days, "must be between 1 and 36500")
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


def _monetary(rows: clv.CompressedRows) -> npt.NDArray[np.float64]:
    if rows.monetary is None:
        raise invalid("monetary_value", "", "is missing")
    return rows.monetary


def fit_summary(lines: IO[str]) -> dict[str, Any]:
    """Fit BG/NBD (and Gamma-Gamma when monetary_value is given) on a summary CSV.

    Returns {"bgnbd": {r, alpha, a, b, loglik}, "gamma_gamma": {p, q, v, loglik} or None}.
    """
    summary = read_summary(lines)
    rows = clv.compress(summary.frequency, summary.recency, summary.T)
    try:
        bg = clv.fit_bgnbd(rows.x, rows.t_x, rows.T, rows.weights)
    except (clv.ConvergenceError, ValueError) as exc:
        raise invalid("file", "", f"the BG/NBD model could not be fitted: {exc}") from exc
    result: dict[str, Any] = {
        "bgnbd": {k: v for k, v in asdict(bg).items() if k != "n_customers"},
        "gamma_gamma": None,
    }
    if summary.monetary is not None:
        usable = (summary.frequency > 0) & (summary.monetary > 0)
        spend = clv.compress(
            summary.frequency[usable], np.zeros(usable.sum()), np.zeros(usable.sum()),
            summary.monetary[usable],
        )  # fmt: skip
        try:
            gg = clv.fit_gamma_gamma(spend.x, _monetary(spend), spend.weights)
        except (clv.ConvergenceError, ValueError) as exc:
            raise invalid(
                "monetary_value", "", f"the Gamma-Gamma model could not be fitted: {exc}"
            ) from exc
        result["gamma_gamma"] = asdict(gg)
    return result
