"""BG/NBD: parameters, weighted log-likelihood with its gradient, the fit and P(alive)."""

# ruff: noqa: N803 -- T is the papers' name for a customer's age; the code follows them.

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import digamma, expit, gammaln

from clientela.analytics.clv.compression import FloatArray, as_floats, check_histories
from clientela.analytics.clv.fitting import Levels, dot, levels_of, maximise, weights_for

# Rows per pass of the likelihood: the temporaries of a block (64 KiB each) stay in cache.
_BLOCK_ROWS = 8_192


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
class _Histories:
    """Weighted rows; terms of x, of T or of t_x alone are computed once per distinct value."""

    x: FloatArray
    weights: FloatArray
    weighted_x: FloatArray
    total: float
    frequency: Levels
    age: Levels
    last: Levels


def _histories(
    x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike, weights: npt.ArrayLike | None
) -> _Histories:
    xs, ts, ages = as_floats(x), as_floats(t_x), as_floats(T)
    check_histories(xs, ts, ages)
    w = weights_for(weights, xs)
    return _Histories(
        xs, w, w * xs, float(w.sum()),
        levels_of(xs, w, xs), levels_of(ages, w, xs), levels_of(ts, w, xs),
    )  # fmt: skip


def _softplus(odds: FloatArray) -> FloatArray:
    """log(1 + e^odds) without overflow; several times faster than np.logaddexp(0, odds)."""
    softplus: FloatArray = np.maximum(odds, 0.0) + np.log1p(np.exp(-np.abs(odds)))
    return softplus


@dataclass(frozen=True)
class _Dropout:
    """Per distinct x and per distinct T or t_x, what the per-row sums need at given params."""

    log_a4: FloatArray
    log_age: FloatArray
    log_last: FloatArray
    inv_age: FloatArray
    inv_last: FloatArray


def _row_sums(
    r: float, terms: _Dropout, rows: _Histories
) -> tuple[float, float, float, FloatArray]:
    """Sums over rows of w log(1 + A4/A3), w p gap, w p (r+x) d(gap)/d(alpha), and w p per x.

    p = A4 / (A3 + A4) is the chance of having dropped out after t_x. The rows go by in blocks
    so that the temporaries stay in the CPU cache: a quarter faster than whole-array passes
    at 350,000 rows on a busy 2-core machine.
    """
    freq, age, last = rows.frequency, rows.age, rows.last
    softplus = dropped_gap = dropped_alpha = 0.0
    dropped_by_level = np.zeros(freq.values.size)
    for start in range(0, rows.x.size, _BLOCK_ROWS):
        block = slice(start, start + _BLOCK_ROWS)
        x_at, age_at, last_at = freq.index[block], age.index[block], last.index[block]
        rx = r + rows.x[block]
        # log(A4 / A3): the log-odds of "dropped out after t_x" against "still active at T".
        gap = terms.log_age[age_at] - terms.log_last[last_at]
        odds = terms.log_a4[x_at] + rx * gap
        w_dropped = rows.weights[block] * expit(odds)
        softplus += dot(rows.weights[block], _softplus(odds))
        dropped_gap += dot(w_dropped, gap)
        dropped_alpha += dot(w_dropped, rx * (terms.inv_last[last_at] - terms.inv_age[age_at]))
        dropped_by_level += np.bincount(x_at, weights=w_dropped, minlength=freq.values.size)
    return softplus, dropped_gap, dropped_alpha, dropped_by_level


def _value_and_gradient(theta: FloatArray, rows: _Histories) -> tuple[float, FloatArray]:
    """Weighted log-likelihood (paper eq. 6) and gradient w.r.t. (log r, log alpha, log a, log b).

    Per customer, L = A1 A2 (A3 + A4) with A3 = (alpha + T)^-(r+x) and A4 = a / (b + x - 1)
    (alpha + t_x)^-(r+x) for x > 0; log(A3 + A4) = -(r+x) log(alpha + T) + log(1 + A4 / A3).
    """
    r, alpha, a, b = (float(value) for value in theta)
    freq, age, last = rows.frequency, rows.age, rows.last
    levels, lw = freq.values, freq.weights
    # log A1 + log A2 of the paper, minus r log(alpha), on each distinct x.
    per_level = (
        gammaln(r + levels) - gammaln(r) + gammaln(a + b) + gammaln(b + levels)
        - gammaln(b) - gammaln(a + b + levels)
    )  # fmt: skip
    d_r_level = digamma(r + levels) - digamma(r)
    d_a_level = digamma(a + b) - digamma(a + b + levels)
    d_b_level = d_a_level + digamma(b + levels) - digamma(b)
    # A4 (dropped out right after t_x) exists only for x > 0: log A4 = -inf on x = 0.
    with np.errstate(divide="ignore"):
        inverse_gap = np.where(levels > 0, 1.0 / (b + levels - 1.0), 0.0)
        log_a4_level = np.log(a) + np.log(inverse_gap)
    terms = _Dropout(
        log_a4_level, np.log(alpha + age.values), np.log(alpha + last.values),
        1.0 / (alpha + age.values), 1.0 / (alpha + last.values),
    )  # fmt: skip
    softplus, dropped_gap, dropped_alpha, dropped_by_level = _row_sums(r, terms, rows)
    # Sums of w f(T) are sums over the distinct T of (sum of w on it) f(T); likewise w x f(T).
    sum_log_age = dot(age.weights, terms.log_age)
    sum_x_log_age = dot(age.weighted_x, terms.log_age)
    log_alpha = float(np.log(alpha))
    value = (
        dot(lw, per_level) + rows.total * r * log_alpha - r * sum_log_age - sum_x_log_age + softplus
    )
    gradient = np.array(
        [
            dot(lw, d_r_level) + rows.total * log_alpha - sum_log_age + dropped_gap,
            rows.total * r / alpha
            - r * dot(age.weights, terms.inv_age)
            - dot(age.weighted_x, terms.inv_age)
            - dropped_alpha,
            dot(lw, d_a_level) + float(dropped_by_level.sum()) / a,
            dot(lw, d_b_level) - dot(dropped_by_level, inverse_gap),
        ]
    )
    return float(value), gradient * np.array([r, alpha, a, b])


def bgnbd_loglik(
    params: npt.ArrayLike,
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    T: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
) -> float:
    """Weighted BG/NBD log-likelihood (paper eq. 6) at params = (r, alpha, a, b)."""
    return _value_and_gradient(as_floats(params), _histories(x, t_x, T, weights))[0]


def bgnbd_gradient(
    params: npt.ArrayLike,
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    T: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
) -> FloatArray:
    """Gradient of bgnbd_loglik with respect to (log r, log alpha, log a, log b)."""
    return _value_and_gradient(as_floats(params), _histories(x, t_x, T, weights))[1]


def fit_bgnbd(
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    T: npt.ArrayLike,
    weights: npt.ArrayLike | None = None,
) -> BGNBDParams:
    """Maximum-likelihood BG/NBD parameters for (possibly compressed, weighted) histories."""
    rows = _histories(x, t_x, T, weights)
    total = rows.total
    if total <= 0:
        raise ValueError("no customers to fit")
    # Start alpha where the gamma mean rate r / alpha matches the observed purchases per period.
    mean_x, mean_age = (
        dot(rows.weights, rows.x) / total,
        dot(rows.age.weights, rows.age.values) / total,
    )
    alpha_start = max(mean_age, 1e-6) / max(mean_x, 1e-3)
    start = np.log(np.array([1.0, alpha_start, 1.0, 1.0]))
    theta, loglik = maximise(lambda theta: _value_and_gradient(theta, rows), start, total, "BG/NBD")
    r, alpha, a, b = (float(value) for value in theta)
    return BGNBDParams(r, alpha, a, b, loglik, round(total))


def bgnbd_probability_alive(
    params: BGNBDParams, x: npt.ArrayLike, t_x: npt.ArrayLike, T: npt.ArrayLike
) -> FloatArray:
    """Probability that each customer is still active at T (paper eq. 11)."""
    xs, ts, ages = np.broadcast_arrays(as_floats(x), as_floats(t_x), as_floats(T))
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    odds_dead = (
        np.log(a)
        - np.log(b + np.maximum(xs, 1.0) - 1.0)
        + (r + xs) * np.log1p((ages - ts) / (alpha + ts))
    )
    return np.where(xs > 0, expit(-odds_dead), 1.0)
