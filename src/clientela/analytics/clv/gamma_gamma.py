"""Gamma-Gamma spend: parameters, weighted log-likelihood with its gradient, fit, expected spend."""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, gammaln

from clientela.analytics.clv.compression import FloatArray, as_floats
from clientela.analytics.clv.fitting import Levels, dot, levels_of, maximise, weights_for


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma spend parameters (p, q, v = the paper's gamma) and log-likelihood."""

    p: float
    q: float
    v: float
    loglik: float


@dataclass(frozen=True)
class _Spends:
    """Weighted (x, m) rows, and the sums over them that do not depend on p, q, v."""

    spend: FloatArray  # x m, the customer's total over the x transactions
    weights: FloatArray
    weighted_x: FloatArray
    total: float
    total_x: float
    sum_x_log_spend: float
    sum_log_m: float
    sum_m: float
    frequency: Levels


def _spends(x: npt.ArrayLike, m: npt.ArrayLike, weights: npt.ArrayLike | None) -> _Spends:
    xs, ms = as_floats(x), as_floats(m)
    if xs.shape != ms.shape or xs.ndim != 1:
        raise ValueError("x and m must be one-dimensional arrays of the same length")
    if not (np.isfinite(xs).all() and np.isfinite(ms).all()) or (xs <= 0).any() or (ms <= 0).any():
        raise ValueError("the Gamma-Gamma likelihood needs finite x > 0 and m > 0")
    w = weights_for(weights, xs)
    # Not grouped on distinct (x, m): a sort costs more than the ~20 evaluations it would save.
    spend = xs * ms
    return _Spends(
        spend, w, w * xs, float(w.sum()), dot(w, xs), dot(w * xs, np.log(spend)),
        dot(w, np.log(ms)), dot(w, ms), levels_of(xs, w, xs),
    )  # fmt: skip


def _value_and_gradient(theta: FloatArray, rows: _Spends) -> tuple[float, FloatArray]:
    """Weighted log-likelihood and its gradient w.r.t. (log p, log q, log v).

    The density of m given x is Gamma(p x + q) / (Gamma(p x) Gamma(q)) v^q m^(p x - 1) x^(p x)
    / (v + x m)^(p x + q); with log(v + x m) = log v + log1p(x m / v) only one logarithm and
    one reciprocal per row depend on the parameters.
    """
    p, q, v = (float(value) for value in theta)
    levels, lw = rows.frequency.values, rows.frequency.weights
    px = p * levels
    log_v = float(np.log(v))
    grown = np.log1p(rows.spend / v)
    inverse = 1.0 / (v + rows.spend)
    per_level = gammaln(px + q) - gammaln(px) - gammaln(q)
    value = (
        dot(lw, per_level) - p * dot(rows.weighted_x, grown) - q * dot(rows.weights, grown)
        + p * (rows.sum_x_log_spend - log_v * rows.total_x) - rows.sum_log_m
    )  # fmt: skip
    psi_sum = digamma(px + q)
    gradient = np.array(
        [
            dot(lw, levels * (psi_sum - digamma(px)))
            - dot(rows.weighted_x, grown) + rows.sum_x_log_spend - log_v * rows.total_x,
            dot(lw, psi_sum - digamma(q)) - dot(rows.weights, grown),
            rows.total * q / v
            - p * dot(rows.weighted_x, inverse) - q * dot(rows.weights, inverse),
        ]
    )  # fmt: skip
    return float(value), gradient * np.array([p, q, v])


def gamma_gamma_loglik(
    params: npt.ArrayLike, x: npt.ArrayLike, m: npt.ArrayLike, weights: npt.ArrayLike | None = None
) -> float:
    """Weighted Gamma-Gamma log-likelihood of average spends m over x > 0 transactions."""
    return _value_and_gradient(as_floats(params), _spends(x, m, weights))[0]


def gamma_gamma_gradient(
    params: npt.ArrayLike, x: npt.ArrayLike, m: npt.ArrayLike, weights: npt.ArrayLike | None = None
) -> FloatArray:
    """Gradient of gamma_gamma_loglik with respect to (log p, log q, log v)."""
    return _value_and_gradient(as_floats(params), _spends(x, m, weights))[1]


def fit_gamma_gamma(
    x: npt.ArrayLike, m: npt.ArrayLike, weights: npt.ArrayLike | None = None
) -> GammaGammaParams:
    """Maximum-likelihood Gamma-Gamma parameters, fitted on the customers with x > 0 only."""
    xs, ms = as_floats(x), as_floats(m)
    ws = weights_for(weights, xs)
    repeat = xs > 0
    rows = _spends(xs[repeat], ms[repeat], ws[repeat])
    if rows.total <= 0:
        raise ValueError("no customers with repeat purchases to fit")
    # p = 1, q = 2 puts the population mean p v / (q - 1) at v: start it at the sample mean.
    start = np.log(np.array([1.0, 2.0, rows.sum_m / rows.total]))
    theta, loglik = maximise(
        lambda theta: _value_and_gradient(theta, rows), start, rows.total, "Gamma-Gamma"
    )
    p, q, v = (float(value) for value in theta)
    return GammaGammaParams(p, q, v, loglik)


def gamma_gamma_expected_spend(
    params: GammaGammaParams, x: npt.ArrayLike, m: npt.ArrayLike
) -> FloatArray:
    """Expected average transaction value given x purchases averaging m (population mean at x=0)."""
    xs, ms = np.broadcast_arrays(as_floats(x), as_floats(m))
    p, q, v = params.p, params.q, params.v
    if q <= 1 and (xs == 0).any():
        raise ValueError("q <= 1: the population mean spend p v / (q - 1) is unbounded")
    # (v + x m) p / (p x + q - 1); at x = 0 it is the population mean p v / (q - 1).
    spend: FloatArray = np.where(xs > 0, xs * ms, 0.0)
    return (v + spend) * p / (p * xs + q - 1.0)
