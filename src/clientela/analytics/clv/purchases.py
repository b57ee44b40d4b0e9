"""Expected BG/NBD purchases over the next t periods (paper eq. 10) and of a new customer (eq. 7).

Eq. 10 is P(alive) times E[purchases | alive], and the second factor depends on (t, x, T) but
not on t_x: it is computed once per distinct (t, x, T), far fewer than the customers.
"""

# ruff: noqa: N803 -- T is the papers' name for a customer's age; the code follows them.

import numpy as np
import numpy.typing as npt
from scipy.special import exprel, hyp2f1

from clientela.analytics.clv.bgnbd import BGNBDParams, bgnbd_probability_alive
from clientela.analytics.clv.compression import FloatArray, as_floats, group_rows

# Terms of the fallback series are summed until they fall below this share of the total.
_SERIES_TOLERANCE = 1e-16
_SERIES_MAX_TERMS = 200_000
# Below this |a - 1| the difference (2F1 - 1) / (a - 1) cancels badly and is interpolated.
_NEAR_ONE = 1e-5
# Below this argument the series is used: it needs at most ~30 terms and has no cancellation.
_SERIES_BELOW = 0.3


def series_excess(c1: float, a: float, c: FloatArray, z: FloatArray) -> FloatArray:
    """S = sum_k>=1 (c1)_k (a)_(k-1) z^k / ((c)_k k!), summed term by term in log space."""
    # log(0) = -inf is the right value for a term that vanishes (z = 0 or c1 a non-positive int).
    with np.errstate(divide="ignore"):
        log_term = np.log(abs(c1) * z) - np.log(np.abs(c))
        sign = np.sign(c1) * np.sign(c)
        total: FloatArray = sign * np.exp(log_term)
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


def hyp2f1_excess(c1: float, shift: float, c: FloatArray, z: FloatArray) -> FloatArray:
    """S = (2F1(c1, shift; c; z) - 1) / shift from scipy's hyp2f1, non-finite where it fails."""
    return np.array((hyp2f1(c1, shift, c, z) - 1.0) / shift, dtype=np.float64)


def expected_if_alive(
    params: BGNBDParams, t: FloatArray, x: FloatArray, T: FloatArray
) -> FloatArray:
    """E[purchases in (T, T+t] | alive at T], eq. 10 without the P(alive) factor, elementwise.

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
    excess[by_series] = series_excess(c1, a, c[by_series], z[by_series])
    rest = ~by_series
    if abs(shift) >= _NEAR_ONE:
        excess[rest] = hyp2f1_excess(c1, shift, c[rest], z[rest])
    else:
        # S is smooth in a: interpolate between a = 1 -+ h, where 2F1 - 1 is not vanishingly small.
        below = hyp2f1_excess(c1, -_NEAR_ONE, c[rest], z[rest])
        above = hyp2f1_excess(c1, _NEAR_ONE, c[rest], z[rest])
        excess[rest] = below + (shift + _NEAR_ONE) / (2 * _NEAR_ONE) * (above - below)
    failed = ~np.isfinite(excess)
    if failed.any():
        excess[failed] = series_excess(c1, a, c[failed], z[failed])
    result: FloatArray = c * (survivors - np.exp(shift * log_rest) * excess)
    return result


def bgnbd_expected_purchases(
    params: BGNBDParams,
    t: npt.ArrayLike,
    x: npt.ArrayLike,
    t_x: npt.ArrayLike,
    T: npt.ArrayLike,
) -> FloatArray:
    """Expected purchases in the next t periods given each history (paper eq. 10)."""
    ts, xs, lasts, ages = np.broadcast_arrays(as_floats(t), as_floats(x), as_floats(t_x),
                                              as_floats(T))  # fmt: skip
    if (ts < 0).any():
        raise ValueError("t must be non-negative")
    alive = bgnbd_probability_alive(params, xs, lasts, ages)
    flat = [ts.ravel(), xs.ravel(), ages.ravel()]
    first, inverse = group_rows(flat)
    if_alive = expected_if_alive(params, *(column[first] for column in flat))[inverse]
    expected: FloatArray = np.maximum(alive * if_alive.reshape(alive.shape), 0.0)
    return expected


def bgnbd_expected_purchases_new(params: BGNBDParams, t: npt.ArrayLike) -> FloatArray:
    """Expected purchases E[X(t)] of a new customer in the first t periods (paper eq. 7)."""
    zeros = np.zeros_like(as_floats(t))
    return bgnbd_expected_purchases(params, t, zeros, zeros, zeros)
