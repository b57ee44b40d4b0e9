"""Customer-lifetime-value core: BG/NBD purchase counts, Gamma-Gamma spend, discounted value.

Pure NumPy/SciPy, written from Fader, Hardie & Lee (2005) "Counting your customers the easy way"
(BG/NBD) and Fader & Hardie (2013) "The Gamma-Gamma model of monetary value".

A customer's history is x (repeat purchases), t_x (time of the last one) and T (time since the
first purchase), all in the same unit, the *period*. Real histories repeat (recency and age are
whole days), so for N customers call `compress()` and work on its unique rows: fitting and
prediction then cost in proportion to the distinct (x, t_x, T) rows, not to N, and
`prediction[rows.inverse]` expands a per-row result back to one value per customer.
"""

# ruff: noqa: N803 -- T is the papers' name for a customer's age; the code follows them.

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from scipy.special import digamma, expit, exprel, gammaln, hyp2f1

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

# Terms of the fallback series are summed until they fall below this share of the total.
_SERIES_TOLERANCE = 1e-16
_SERIES_MAX_TERMS = 200_000
# Below this |a - 1| the difference (2F1 - 1) / (a - 1) cancels badly and is interpolated.
_NEAR_ONE = 1e-5
# Below this argument the series is used: it needs at most ~30 terms and has no cancellation.
_SERIES_BELOW = 0.3
_LOG_BOUND = 30.0


class ConvergenceError(RuntimeError):
    """The optimiser stopped before reaching a maximum of the likelihood."""


@dataclass(frozen=True)
class BGNBDParams:
    """Fitted BG/NBD parameters with the total log-likelihood and the customers behind it."""

    r: float
    alpha: float
    a: float
    b: float
    loglik: float
    n_customers: int


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma spend parameters (p, q, v = the paper's gamma) and log-likelihood."""

    p: float
    q: float
    v: float
    loglik: float


@dataclass(frozen=True)
class CompressedRows:
    """Distinct customer histories, the number of customers on each, and the map back."""

    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    monetary: FloatArray | None
    weights: FloatArray
    inverse: IntArray


def _floats(values: npt.ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _dot(weights: FloatArray, values: FloatArray) -> float:
    # einsum's own loop, not BLAS: a threaded BLAS dot of long vectors stalls on busy machines.
    return float(np.einsum("i,i->", weights, values))


def _check_histories(x: FloatArray, t_x: FloatArray, T: FloatArray) -> None:
    if not (x.shape == t_x.shape == T.shape and x.ndim == 1):
        raise ValueError("x, t_x and T must be one-dimensional arrays of the same length")
    if not (np.isfinite(x).all() and np.isfinite(t_x).all() and np.isfinite(T).all()):
        raise ValueError("x, t_x and T must be finite")
    if (x < 0).any() or (t_x < 0).any() or (t_x > T).any():
        raise ValueError("histories need x >= 0 and 0 <= t_x <= T")


def compress(
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,
    monetary: npt.ArrayLike | None = None,
) -> CompressedRows:
    """Collapse identical histories into unique rows with counts and an index to expand back."""
    x, t_x, age = _floats(frequency), _floats(recency), _floats(T)
    _check_histories(x, t_x, age)
    columns = [x, t_x, age] if monetary is None else [x, t_x, age, _floats(monetary)]
    if columns[-1].shape != x.shape:
        raise ValueError("monetary must have one value per customer")
    if x.size == 0:
        empty = np.empty(0)
        spend = None if monetary is None else empty
        return CompressedRows(empty, empty, empty, spend, empty, np.empty(0, dtype=np.intp))
    # lexsort and a run-boundary mask: several times faster than np.unique(axis=0) on floats.
    order = np.lexsort(columns[::-1])
    ordered = [column[order] for column in columns]
    starts = np.empty(x.size, dtype=bool)
    starts[0] = True
    starts[1:] = np.logical_or.reduce([column[1:] != column[:-1] for column in ordered])
    group = np.cumsum(starts) - 1
    inverse = np.empty(x.size, dtype=np.intp)
    inverse[order] = group
    unique = [column[starts] for column in ordered]
    weights = np.bincount(group).astype(np.float64)
    spend = unique[3] if monetary is not None else None
    return CompressedRows(unique[0], unique[1], unique[2], spend, weights, inverse)


def _weights_for(weights: npt.ArrayLike | None, x: FloatArray) -> FloatArray:
    w = np.ones_like(x) if weights is None else _floats(weights)
    if w.shape != x.shape or not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("weights must be finite, non-negative and one per row")
    return w


@dataclass(frozen=True)
class _Rows:
    """Rows ready for the likelihood: per-x terms are computed once per distinct x."""

    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    weights: FloatArray
    x_levels: FloatArray
    x_index: IntArray
    level_weights: FloatArray


def _rows(x: FloatArray, t_x: FloatArray, T: FloatArray, weights: FloatArray) -> _Rows:
    levels, index = np.unique(x, return_inverse=True)
    level_weights = np.bincount(index, weights=weights, minlength=levels.size).astype(np.float64)
    return _Rows(x, t_x, T, weights, levels, index, level_weights)


def _bgnbd_value_and_gradient(theta: FloatArray, rows: _Rows) -> tuple[float, FloatArray]:
    """Weighted log-likelihood and its gradient with respect to (log r, log alpha, log a, log b)."""
    r, alpha, a, b = (float(value) for value in theta)
    levels, x = rows.x_levels, rows.x
    # log A1 + log A2 of the paper, minus r log(alpha), on each distinct x.
    per_level = (
        gammaln(r + levels) - gammaln(r) + gammaln(a + b) + gammaln(b + levels)
        - gammaln(b) - gammaln(a + b + levels)
    )  # fmt: skip
    d_r_level = digamma(r + levels) - digamma(r)
    d_a_level = digamma(a + b) - digamma(a + b + levels)
    d_b_level = d_a_level + digamma(b + levels) - digamma(b)
    # The paper's A4 (dropped out right after t_x) exists only for x > 0: -inf on x = 0.
    with np.errstate(divide="ignore"):
        inverse_gap = np.where(levels > 0, 1.0 / (b + levels - 1.0), 0.0)
        log_a4_level = np.log(a) + np.log(inverse_gap)
    log_age, log_last = np.log(alpha + rows.T), np.log(alpha + rows.t_x)
    rx = r + x
    # Log-odds of "dropped out after t_x" against "still active at T", i.e. log(A4 / A3).
    odds = log_a4_level[rows.x_index] + rx * (log_age - log_last)
    w_dropped, w_still = expit(odds), expit(-odds)
    log_a3_plus_a4 = -rx * log_age + np.maximum(odds, 0.0) + np.log1p(np.exp(-np.abs(odds)))
    w, lw = rows.weights, rows.level_weights
    total_w = float(w.sum())
    log_alpha = float(np.log(alpha))
    value = _dot(lw, per_level) + total_w * r * log_alpha + _dot(w, log_a3_plus_a4)
    gradient = np.array(
        [
            _dot(lw, d_r_level)
            + total_w * log_alpha
            - _dot(w, w_still * log_age + w_dropped * log_last),
            total_w * r / alpha
            - _dot(w, rx * (w_still / (alpha + rows.T) + w_dropped / (alpha + rows.t_x))),
            _dot(lw, d_a_level) + _dot(w, w_dropped) / a,
            _dot(lw, d_b_level) - _dot(w, w_dropped * inverse_gap[rows.x_index]),
        ]
    )
    return float(value), gradient * np.array([r, alpha, a, b])


def _bgnbd_rows(
    x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike, weights: npt.ArrayLike | None
) -> _Rows:
    xs, ts, ages = _floats(x), _floats(t_x), _floats(T)
    _check_histories(xs, ts, ages)
    return _rows(xs, ts, ages, _weights_for(weights, xs))


def bgnbd_loglik(
    params: npt.ArrayLike,
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    T: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
) -> float:
    """Weighted BG/NBD log-likelihood (paper eq. 6) at params = (r, alpha, a, b)."""
    return _bgnbd_value_and_gradient(_floats(params), _bgnbd_rows(x, t_x, T, weights))[0]


def bgnbd_gradient(
    params: npt.ArrayLike,
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    T: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
) -> FloatArray:
    """Gradient of bgnbd_loglik with respect to (log r, log alpha, log a, log b)."""
    return _bgnbd_value_and_gradient(_floats(params), _bgnbd_rows(x, t_x, T, weights))[1]


def _maximise(
    value_and_gradient: Any, start: FloatArray, scale: float, what: str
) -> tuple[FloatArray, float]:
    """Maximise a log-likelihood over log-parameters with L-BFGS-B; return (params, loglik)."""

    def objective(log_theta: FloatArray) -> tuple[float, FloatArray]:
        value, gradient = value_and_gradient(np.exp(log_theta))
        return -value / scale, -gradient / scale

    bounds = [(s - _LOG_BOUND, s + _LOG_BOUND) for s in start]
    result = minimize(
        objective,
        start,
        jac=True,
        method="L-BFGS-B",
        bounds=bounds,
        options={"maxiter": 1000, "ftol": 1e-14, "gtol": 1e-9},
    )
    # L-BFGS-B may stop on a line-search hiccup at the optimum; a flat gradient is what counts.
    if not (result.success or np.max(np.abs(result.jac)) < 1e-5):
        raise ConvergenceError(f"{what} fit did not converge: {result.message}")
    return np.exp(result.x), -float(result.fun) * scale


def fit_bgnbd(
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    T: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
) -> BGNBDParams:
    """Maximum-likelihood BG/NBD parameters for (possibly compressed, weighted) histories."""
    rows = _bgnbd_rows(x, t_x, T, weights)
    total = float(rows.weights.sum())
    if total <= 0:
        raise ValueError("no customers to fit")
    # Start alpha where the gamma mean rate r / alpha matches the observed purchases per period.
    mean_x, mean_age = _dot(rows.weights, rows.x) / total, _dot(rows.weights, rows.T) / total
    alpha_start = max(mean_age, 1e-6) / max(mean_x, 1e-3)
    start = np.log(np.array([1.0, alpha_start, 1.0, 1.0]))
    theta, loglik = _maximise(
        lambda theta: _bgnbd_value_and_gradient(theta, rows), start, total, "BG/NBD"
    )
    r, alpha, a, b = (float(value) for value in theta)
    return BGNBDParams(r, alpha, a, b, loglik, round(total))


def bgnbd_probability_alive(
    params: BGNBDParams, x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike
) -> FloatArray:
    """Probability that each customer is still active at T (paper eq. 11)."""
    xs, ts, ages = np.broadcast_arrays(_floats(x), _floats(t_x), _floats(T))
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    odds_dead = (
        np.log(a)
        - np.log(b + np.maximum(xs, 1.0) - 1.0)
        + (r + xs) * np.log1p((ages - ts) / (alpha + ts))
    )
    return np.where(xs > 0, expit(-odds_dead), 1.0)


def _series_excess(c1: float, a: float, c: FloatArray, z: FloatArray) -> FloatArray:
    """S = sum_k>=1 (c1)_k (a)_(k-1) z^k / ((c)_k k!), summed term by term in log space."""
    # log(0) = -inf is the right value for a term that vanishes (z = 0 or c1 a non-positive int).
    with np.errstate(divide="ignore"):
        log_term = np.log(abs(c1) * z) - np.log(np.abs(c))
        sign = np.sign(c1) * np.sign(c)
        total = sign * np.exp(log_term)
        active = np.flatnonzero(total != 0)
        for k in range(1, _SERIES_MAX_TERMS):
            if active.size == 0:
                break
            ratio = (c1 + k) * (a + k - 1) * z[active] / ((c[active] + k) * (k + 1))
            log_term[active] += np.log(np.abs(ratio))
            sign[active] *= np.sign(ratio)
            term = sign[active] * np.exp(log_term[active])
            total[active] += term
            # Terms may grow at first (a > 2); stop once they shrink below the tolerance.
            going = (np.abs(ratio) >= 1) | (
                np.abs(term) > _SERIES_TOLERANCE * np.abs(total[active])
            )
            active = active[going]
    return total


def _hyp2f1_excess(c1: float, shift: float, c: FloatArray, z: FloatArray) -> FloatArray:
    """S = (2F1(c1, shift; c; z) - 1) / shift from scipy's hyp2f1, non-finite where it fails."""
    return np.array((hyp2f1(c1, shift, c, z) - 1.0) / shift, dtype=np.float64)


def _purchases_if_alive(params: BGNBDParams, t: FloatArray, x: FloatArray, T: FloatArray) -> Any:
    """E[purchases in (T, T+t] | alive at T], eq. 10 without the P(alive) factor.

    Euler's transformation 2F1(A, B; C; z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z) turns
    ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z) into
    (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z): its first two parameters no longer grow with x,
    which is where scipy's hyp2f1 loses accuracy or overflows, and (1-z)^(r+x) no longer
    underflows against a huge 2F1. With 2F1 = 1 + (a-1) S the 1/(a-1) of eq. 10 cancels
    analytically, so a = 1 is no singularity.
    """
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    shift, c1, c = a - 1.0, a + b - 1.0 - r, a + b + x - 1.0
    z = t / (alpha + T + t)
    log_rest = np.log1p(-z)
    survivors = -log_rest * exprel(shift * log_rest)  # (1 - (1-z)^(a-1)) / (a-1)
    # Small z: the series converges in a few dozen terms and, unlike (2F1 - 1) / (a - 1),
    # does not cancel. Elsewhere scipy's hyp2f1, which also handles z close to 1.
    by_series = z < _SERIES_BELOW
    excess = np.empty_like(z)
    excess[by_series] = _series_excess(c1, a, c[by_series], z[by_series])
    rest = ~by_series
    if abs(shift) >= _NEAR_ONE:
        excess[rest] = _hyp2f1_excess(c1, shift, c[rest], z[rest])
    else:
        # S is smooth in a: interpolate between a = 1 -+ h, where 2F1 - 1 is not vanishingly small.
        below = _hyp2f1_excess(c1, -_NEAR_ONE, c[rest], z[rest])
        above = _hyp2f1_excess(c1, _NEAR_ONE, c[rest], z[rest])
        excess[rest] = below + (shift + _NEAR_ONE) / (2 * _NEAR_ONE) * (above - below)
    failed = ~np.isfinite(excess)
    if failed.any():
        excess[failed] = _series_excess(c1, a, c[failed], z[failed])
    return c * (survivors - np.exp(shift * log_rest) * excess)


def bgnbd_expected_purchases(
    params: BGNBDParams,
    t: npt.ArrayLike,
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    T: npt.ArrayLike,
) -> FloatArray:
    """Expected purchases in the next t periods given each history (paper eq. 10)."""
    ts, xs, lasts, ages = np.broadcast_arrays(_floats(t), _floats(x), _floats(t_x), _floats(T))
    if (ts < 0).any():
        raise ValueError("t must be non-negative")
    alive = bgnbd_probability_alive(params, xs, lasts, ages)
    expected = alive * _purchases_if_alive(params, ts, xs, ages)
    return np.maximum(expected, 0.0)


def bgnbd_expected_purchases_new(params: BGNBDParams, t: npt.ArrayLike) -> FloatArray:
    """Expected purchases E[X(t)] of a new customer in the first t periods (paper eq. 7)."""
    zeros = np.zeros_like(_floats(t))
    return bgnbd_expected_purchases(params, t, zeros, zeros, zeros)


def _gamma_gamma_value_and_gradient(theta: FloatArray, rows: _Rows) -> tuple[float, FloatArray]:
    """Weighted Gamma-Gamma log-likelihood and its gradient w.r.t. (log p, log q, log v)."""
    p, q, v = (float(value) for value in theta)
    levels, lw = rows.x_levels, rows.level_weights
    # rows.t_x holds the average spend m; the density is of m given x transactions.
    x, m, w = rows.x, rows.t_x, rows.weights
    px = p * levels
    spend = x * m
    log_over_v, log_over_spend = np.log1p(spend / v), np.log1p(v / spend)
    per_level = gammaln(px + q) - gammaln(px) - gammaln(q)
    value = _dot(lw, per_level) - _dot(w, p * x * log_over_spend + q * log_over_v + np.log(m))
    psi_sum = digamma(px + q)
    gradient = np.array(
        [
            _dot(lw, levels * (psi_sum - digamma(px))) - _dot(w, x * log_over_spend),
            _dot(lw, psi_sum - digamma(q)) - _dot(w, log_over_v),
            float(w.sum()) * q / v - _dot(w, (p * x + q) / (v + spend)),
        ]
    )
    return float(value), gradient * np.array([p, q, v])


def _gamma_gamma_rows(x: npt.ArrayLike, m: npt.ArrayLike, weights: npt.ArrayLike | None) -> _Rows:
    xs, ms = _floats(x), _floats(m)
    if xs.shape != ms.shape or xs.ndim != 1:
        raise ValueError("x and m must be one-dimensional arrays of the same length")
    if not (np.isfinite(xs).all() and np.isfinite(ms).all()) or (xs <= 0).any() or (ms <= 0).any():
        raise ValueError("the Gamma-Gamma likelihood needs finite x > 0 and m > 0")
    return _rows(xs, ms, ms, _weights_for(weights, xs))


def gamma_gamma_loglik(
    params: npt.ArrayLike, x: npt.ArrayLike, m: npt.ArrayLike, weights: npt.ArrayLike | None = None
) -> float:
    """Weighted Gamma-Gamma log-likelihood of average spends m over x > 0 transactions."""
    return _gamma_gamma_value_and_gradient(_floats(params), _gamma_gamma_rows(x, m, weights))[0]


def gamma_gamma_gradient(
    params: npt.ArrayLike, x: npt.ArrayLike, m: npt.ArrayLike, weights: npt.ArrayLike | None = None
) -> FloatArray:
    """Gradient of gamma_gamma_loglik with respect to (log p, log q, log v)."""
    return _gamma_gamma_value_and_gradient(_floats(params), _gamma_gamma_rows(x, m, weights))[1]


def fit_gamma_gamma(
    x: npt.ArrayLike, m: npt.ArrayLike, weights: npt.ArrayLike | None = None
) -> GammaGammaParams:
    """Maximum-likelihood Gamma-Gamma parameters, fitted on the customers with x > 0 only."""
    xs, ms = _floats(x), _floats(m)
    ws = _weights_for(weights, xs)
    repeat = xs > 0
    rows = _gamma_gamma_rows(xs[repeat], ms[repeat], ws[repeat])
    total = float(rows.weights.sum())
    if total <= 0:
        raise ValueError("no customers with repeat purchases to fit")
    # p = 1, q = 2 puts the population mean p v / (q - 1) at v: start it at the sample mean.
    start = np.log(np.array([1.0, 2.0, _dot(rows.weights, rows.t_x) / total]))
    theta, loglik = _maximise(
        lambda theta: _gamma_gamma_value_and_gradient(theta, rows), start, total, "Gamma-Gamma"
    )
    p, q, v = (float(value) for value in theta)
    return GammaGammaParams(p, q, v, loglik)


def gamma_gamma_expected_spend(
    params: GammaGammaParams, x: npt.ArrayLike, m: npt.ArrayLike
) -> FloatArray:
    """Expected average transaction value given x purchases averaging m (population mean at x=0)."""
    xs, ms = np.broadcast_arrays(_floats(x), _floats(m))
    p, q, v = params.p, params.q, params.v
    if q <= 1 and (xs == 0).any():
        raise ValueError("q <= 1: the population mean spend p v / (q - 1) is unbounded")
    # (v + x m) p / (p x + q - 1); at x = 0 it is the population mean p v / (q - 1).
    spend = np.where(xs > 0, xs * ms, 0.0)
    return (v + spend) * p / (p * xs + q - 1.0)


def _discounted_purchases(
    params: BGNBDParams,
    rows: CompressedRows,
    horizon_periods: float,
    discount_rate_per_period: float,
    step: float,
) -> FloatArray:
    """Sum over steps of expected purchases in (t - step, t] discounted by (1 + d)^t."""
    ends = np.unique(np.minimum(np.arange(1, np.ceil(horizon_periods / step) + 1) * step,
                                horizon_periods))  # fmt: skip
    total = np.zeros_like(rows.x)
    previous = np.zeros_like(rows.x)
    for end in ends:
        cumulative = bgnbd_expected_purchases(params, end, rows.x, rows.t_x, rows.T)
        total += np.maximum(cumulative - previous, 0.0) / (1.0 + discount_rate_per_period) ** end
        previous = cumulative
    return total


def customer_lifetime_value(
    bgnbd: BGNBDParams,
    gg: GammaGammaParams,
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    T: npt.ArrayLike,
    m: npt.ArrayLike,
    *,
    horizon_periods: float,
    discount_rate_per_period: float,
    step: float = 1,
) -> FloatArray:
    """Discounted value over the horizon: expected purchases per step times expected spend.

    Purchases are computed once per distinct (x, t_x, T) and expanded to the N customers.
    """
    if horizon_periods <= 0 or step <= 0 or discount_rate_per_period <= -1:
        raise ValueError("need horizon_periods > 0, step > 0 and discount_rate_per_period > -1")
    rows = compress(x, t_x, T)
    purchases = _discounted_purchases(bgnbd, rows, horizon_periods, discount_rate_per_period, step)
    return purchases[rows.inverse] * gamma_gamma_expected_spend(gg, x, m)
