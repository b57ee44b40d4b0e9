"""Customer lifetime value: discounted expected purchases times expected spend."""

# ruff: noqa: N803 -- T is the papers' name for a customer's age; the code follows them.

import numpy as np
import numpy.typing as npt

from clientela.analytics.clv.bgnbd import BGNBDParams, bgnbd_probability_alive
from clientela.analytics.clv.compression import FloatArray, as_floats, check_histories, group_rows
from clientela.analytics.clv.gamma_gamma import GammaGammaParams, gamma_gamma_expected_spend
from clientela.analytics.clv.purchases import expected_if_alive


def _step_ends(horizon_periods: float, step: float) -> FloatArray:
    ends = np.minimum(np.arange(1, np.ceil(horizon_periods / step) + 1) * step, horizon_periods)
    return np.unique(ends)


def _discounted_if_alive(
    params: BGNBDParams,
    x: FloatArray,
    T: FloatArray,
    ends: FloatArray,
    discount_rate_per_period: float,
) -> FloatArray:
    """Sum over steps of E[purchases in (t - step, t] | alive] discounted by (1 + d)^t.

    One value per distinct (x, T); one step at a time, so memory stays in proportion to them.
    """
    total, previous = np.zeros_like(x), np.zeros_like(x)
    for end in ends:
        # Expectations below zero are rounding; each step adds what the cumulative count gained.
        cumulative = np.maximum(expected_if_alive(params, np.full_like(x, end), x, T), 0.0)
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

    Eq. 10 is P(alive | x, t_x, T) times a factor of (t, x, T) alone, and P(alive) does not
    depend on t: the discounted sum of the per-step gains is taken once per distinct (x, T)
    and multiplied by each customer's P(alive) and expected spend.
    """
    if horizon_periods <= 0 or step <= 0 or discount_rate_per_period <= -1:
        raise ValueError("need horizon_periods > 0, step > 0 and discount_rate_per_period > -1")
    xs, ts, ages = as_floats(x), as_floats(t_x), as_floats(T)
    check_histories(xs, ts, ages)
    first, inverse = group_rows([xs, ages])
    ends = _step_ends(horizon_periods, step)
    per_pair = _discounted_if_alive(bgnbd, xs[first], ages[first], ends, discount_rate_per_period)
    alive = bgnbd_probability_alive(bgnbd, xs, ts, ages)
    value: FloatArray = alive * per_pair[inverse] * gamma_gamma_expected_spend(gg, xs, m)
    return value
