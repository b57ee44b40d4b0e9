"""Probabilistic value of each customer: BG/NBD and Gamma-Gamma via clv.py, and value tiers.

The period of the models is one day. Histories follow the literature: x = repeat occasions,
t_x = days from the first to the last occasion, T = days from the first occasion to the as-of
day, m = mean value of the repeat occasions (the first purchase is left out of m).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from clientela.analytics import clv
from clientela.analytics.clv import BGNBDParams, GammaGammaParams
from clientela.analytics.services.config import Tier

FloatArray = npt.NDArray[np.float64]
# Below these counts a fit says little; the model outputs are then left empty.
MIN_CUSTOMERS = 20
MIN_REPEATERS = 10
# The CLV sums expected purchases over steps of this many days, each discounted at its end.
DISCOUNT_STEP_DAYS = 30
# A fit whose Beta shapes run off towards infinity says "everyone has the same drop-out
# chance"; clv.py's series then needs millions of terms, so such a fit is not used.
MAX_BETA_SHAPE = 1e4


@dataclass(frozen=True)
class Predictions:
    """Per customer (NaN where a model could not be fitted) and the fitted parameters."""

    p_alive: FloatArray
    expected_purchases: FloatArray
    expected_spend: FloatArray
    clv: FloatArray
    bgnbd: BGNBDParams | None
    gamma_gamma: GammaGammaParams | None


def daily_rate(yearly: float) -> float:
    """The daily discount rate equivalent to a yearly one."""
    return float((1.0 + yearly) ** (1.0 / 365.0) - 1.0)


def _fit_bgnbd(rows: clv.CompressedRows) -> clv.BGNBDParams | None:
    repeaters = float(rows.weights[rows.x > 0].sum())
    if rows.weights.sum() < MIN_CUSTOMERS or repeaters < MIN_REPEATERS:
        return None
    try:
        params = clv.fit_bgnbd(rows.x, rows.t_x, rows.T, rows.weights)
    except (clv.ConvergenceError, ValueError, FloatingPointError):
        return None
    return params if max(params.a, params.b) <= MAX_BETA_SHAPE else None


def _fit_gamma_gamma(x: FloatArray, m: FloatArray) -> clv.GammaGammaParams | None:
    usable = (x > 0) & (m > 0)
    if usable.sum() < MIN_REPEATERS:
        return None
    rows = clv.compress(x[usable], np.zeros(usable.sum()), np.zeros(usable.sum()), m[usable])
    if rows.monetary is None:
        return None
    try:
        return clv.fit_gamma_gamma(rows.x, rows.monetary, rows.weights)
    except (clv.ConvergenceError, ValueError, FloatingPointError):
        return None


def predict(
    x: FloatArray,
    t_x: FloatArray,
    T: FloatArray,  # noqa: N803  (the papers' name for the customer's age)
    m: FloatArray,
    *,
    horizon_days: int,
    yearly_discount_rate: float,
) -> Predictions:
    """Fit both models on the compressed histories and predict for every customer."""
    # Extreme fits (a, b -> infinity when nobody seems to drop out) can overflow inside the
    # series of clv.py; such values come out non-finite and are left empty below.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        predictions = _predict(x, t_x, T, m, horizon_days, yearly_discount_rate)
    for array in (predictions.p_alive, predictions.expected_purchases, predictions.expected_spend,
                  predictions.clv):  # fmt: skip
        array[~np.isfinite(array)] = np.nan
    return predictions


def _predict(
    x: FloatArray,
    t_x: FloatArray,
    T: FloatArray,  # noqa: N803  (the papers' name, as in predict)
    m: FloatArray,
    horizon_days: int,
    yearly_discount_rate: float,
) -> Predictions:
    rows = clv.compress(x, t_x, T)
    bgnbd = _fit_bgnbd(rows)
    gg = _fit_gamma_gamma(x, m) if bgnbd is not None else None
    return _apply(bgnbd, gg, rows, x, t_x, T, m, horizon_days, yearly_discount_rate)


def predict_with(
    bgnbd: BGNBDParams | None,
    gamma_gamma: GammaGammaParams | None,
    x: FloatArray,
    t_x: FloatArray,
    T: FloatArray,  # noqa: N803  (the papers' name, as in predict)
    m: FloatArray,
    *,
    horizon_days: int,
    yearly_discount_rate: float,
) -> Predictions:
    """Predict with parameters fitted before (the last refresh's), for a few customers."""
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        predictions = _apply(
            bgnbd, gamma_gamma, clv.compress(x, t_x, T), x, t_x, T, m,
            horizon_days, yearly_discount_rate,
        )  # fmt: skip
    for array in (predictions.p_alive, predictions.expected_purchases, predictions.expected_spend,
                  predictions.clv):  # fmt: skip
        array[~np.isfinite(array)] = np.nan
    return predictions


def _apply(
    bgnbd: BGNBDParams | None,
    gg: GammaGammaParams | None,
    rows: clv.CompressedRows,
    x: FloatArray,
    t_x: FloatArray,
    T: FloatArray,  # noqa: N803  (the papers' name, as in predict)
    m: FloatArray,
    horizon_days: int,
    yearly_discount_rate: float,
) -> Predictions:
    nan = np.full(x.shape, np.nan)
    if bgnbd is None:
        return Predictions(nan, nan.copy(), nan.copy(), nan.copy(), None, None)
    p_alive = clv.bgnbd_probability_alive(bgnbd, rows.x, rows.t_x, rows.T)[rows.inverse]
    expected = clv.bgnbd_expected_purchases(bgnbd, horizon_days, rows.x, rows.t_x, rows.T)
    expected = expected[rows.inverse]
    spend, value = nan.copy(), nan.copy()
    if gg is not None:
        # With q <= 1 the population mean spend is unbounded: one-time buyers get no spend.
        known = x > 0 if gg.q <= 1 else np.ones(x.shape, dtype=bool)
        spend[known] = clv.gamma_gamma_expected_spend(gg, x[known], m[known])
        value[known] = clv.customer_lifetime_value(
            bgnbd,
            gg,
            x[known],
            t_x[known],
            T[known],
            m[known],
            horizon_periods=horizon_days,
            discount_rate_per_period=daily_rate(yearly_discount_rate),
            step=DISCOUNT_STEP_DAYS,
        )
    return Predictions(p_alive, expected, spend, value, bgnbd, gg)


def tier_cutoffs(values: FloatArray, tiers: tuple[Tier, ...]) -> list[float] | None:
    """The CLV each tier starts at: quantiles of the known values (None when none is known)."""
    known = values[~np.isnan(values)]
    if not known.size:
        return None
    return [float(cut) for cut in np.quantile(known, [t.quantile for t in tiers])]


def tier_codes(
    values: FloatArray, tiers: tuple[Tier, ...], cuts: list[float] | None = None
) -> npt.NDArray[np.int8]:
    """Index into `tiers` of each value (-1 where unknown): the best tier whose cut-off it meets.

    Cut-offs are quantiles of the known values, so equal values always share a tier; `cuts`
    gives those of an earlier refresh (to place a few customers among all).
    """
    codes = np.full(values.shape, -1, dtype=np.int8)
    known = ~np.isnan(values)
    cuts = tier_cutoffs(values, tiers) if cuts is None else cuts
    if not known.any() or cuts is None or len(cuts) != len(tiers):
        return codes
    # Worst tier first, so that each better tier overwrites the customers it covers.
    for index in range(len(tiers) - 1, -1, -1):
        codes[known & (values >= cuts[index])] = index
    return codes
