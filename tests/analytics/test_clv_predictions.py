"""What the fitted models predict: P(alive), expected purchases, spend and lifetime value."""

from __future__ import annotations

import math

import numpy as np
from scipy.integrate import quad
from scipy.special import betaln

from clientela.analytics import clv
from clientela.analytics.clv import BGNBDParams
from clientela.analytics.clv.purchases import hyp2f1_excess, series_excess
from tests.analytics.clv_cases import (
    AGE,
    CDNOW,
    CDNOW_SPEND,
    SPEND,
    T_X,
    X,
)


def hyp2f1_by_summation(a: float, b: float, c: float, z: float) -> float:
    """Gauss's series term by term, in plain floats."""
    term, total = 1.0, 1.0
    for k in range(20_000):
        term *= (a + k) * (b + k) / ((c + k) * (k + 1)) * z
        total += term
        if abs(term) < 1e-17 * abs(total):
            break
    return total


def expected_purchases_by_hand(
    params: BGNBDParams, t: float, x: float, t_x: float, age: float
) -> float:
    """Paper eq. 10 as printed, with the untransformed hypergeometric series."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + age + t)
    series = hyp2f1_by_summation(r + x, b + x, a + b + x - 1, z)
    numerator = (
        (a + b + x - 1) / (a - 1) * (1 - ((alpha + age) / (alpha + age + t)) ** (r + x) * series)
    )
    dropped_odds = a / (b + x - 1) * ((alpha + age) / (alpha + t_x)) ** (r + x) if x > 0 else 0.0
    return float(numerator / (1 + dropped_odds))


def expected_purchases_by_integration(
    params: BGNBDParams, t: float, x: float, t_x: float, age: float
) -> float:
    """P(alive) times E[(1 - E_lambda exp(-lambda p t)) / p], p ~ Beta(a, b + x), by quadrature."""
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    scale = t / (alpha + age)

    def given_dropout(p: float) -> float:
        if p == 0.0:
            return (r + x) * scale
        return -math.expm1(-(r + x) * math.log1p(p * scale)) / p

    # weight "alg" integrates p^(a-1) (1-p)^(b+x-1) exactly, singular endpoints included.
    integral, _ = quad(given_dropout, 0.0, 1.0, weight="alg", wvar=(a - 1, b + x - 1))
    if_alive = float(integral / math.exp(betaln(a, b + x)))
    if x == 0:
        return if_alive
    dropped_odds = a / (b + x - 1) * math.exp((r + x) * math.log((alpha + age) / (alpha + t_x)))
    return if_alive / (1 + dropped_odds)


def test_a_customer_without_repeat_purchases_is_alive_with_certainty() -> None:
    alive = clv.bgnbd_probability_alive(CDNOW, [0.0, 0.0], [0.0, 0.0], [38.86, 1e5])

    np.testing.assert_array_equal(alive, [1.0, 1.0])


def test_probability_alive_at_the_cdnow_estimates_matches_a_hand_computation() -> None:
    r, alpha, a, b = CDNOW.r, CDNOW.alpha, CDNOW.a, CDNOW.b
    by_hand = [
        1 / (1 + a / (b + x - 1) * ((alpha + age) / (alpha + t_x)) ** (r + x))
        for x, t_x, age in [(2, 30.43, 38.86), (1, 1.71, 38.86), (5, 20.0, 32.0)]
    ]

    alive = clv.bgnbd_probability_alive(CDNOW, [2, 1, 5], [30.43, 1.71, 20.0], [38.86, 38.86, 32.0])

    np.testing.assert_allclose(alive, by_hand, rtol=1e-12)


def test_expected_purchases_at_the_cdnow_estimates_match_the_published_example() -> None:
    # The paper's customer: 2 repeat purchases, the last at week 30.43, observed for 38.86 weeks.
    expected = clv.bgnbd_expected_purchases(CDNOW, 39.0, 2.0, 30.43, 38.86)

    assert round(float(expected), 3) == 1.226


def test_expected_purchases_match_direct_summation_of_the_hypergeometric_series() -> None:
    cases = [
        (39.0, 2, 30.43, 38.86),
        (39.0, 0, 0.0, 38.86),
        (52.0, 10, 35.0, 38.86),
        (1.0, 1, 1.71, 38.86),
    ]
    by_hand = [expected_purchases_by_hand(CDNOW, t, x, t_x, age) for t, x, t_x, age in cases]

    t, x, t_x, age = (np.array(column, dtype=np.float64) for column in zip(*cases, strict=True))
    expected = clv.bgnbd_expected_purchases(CDNOW, t, x, t_x, age)

    np.testing.assert_allclose(expected, by_hand, rtol=1e-10)


def test_expected_purchases_of_a_new_customer_match_direct_summation() -> None:
    r, alpha, a, b = CDNOW.r, CDNOW.alpha, CDNOW.a, CDNOW.b
    by_hand = [
        (a + b - 1) / (a - 1)
        * (1 - (alpha / (alpha + t)) ** r * hyp2f1_by_summation(r, b, a + b - 1, t / (alpha + t)))
        for t in (1.0, 39.0, 78.0)
    ]  # fmt: skip

    expected = clv.bgnbd_expected_purchases_new(CDNOW, np.array([1.0, 39.0, 78.0]))

    np.testing.assert_allclose(expected, by_hand, rtol=1e-10)


def test_expected_purchases_match_integration_over_the_posterior_even_where_2f1_is_hard() -> None:
    days = BGNBDParams(r=0.8, alpha=30.0, a=0.6, b=3.0, loglik=math.nan, n_customers=0)
    cases = [
        (365.0, 500, 3000.0, 3000.0),
        (1e6, 0, 0.0, 1.0),
        (365.0, 3, 20.0, 1e5),
        (90.0, 40, 200.0, 210.0),
    ]
    by_integration = [expected_purchases_by_integration(days, *case) for case in cases]

    t, x, t_x, age = (np.array(column, dtype=np.float64) for column in zip(*cases, strict=True))
    expected = clv.bgnbd_expected_purchases(days, t, x, t_x, age)

    np.testing.assert_allclose(expected, by_integration, rtol=1e-7)


def test_a_equal_to_one_gives_the_limit_of_its_neighbours() -> None:
    def at(a: float) -> np.ndarray:
        params = BGNBDParams(r=0.5, alpha=10.0, a=a, b=2.0, loglik=math.nan, n_customers=0)
        return clv.bgnbd_expected_purchases(
            params, [0.5, 39.0, 1e4], [0, 3, 20], [0, 20, 35], [1, 40, 40]
        )

    np.testing.assert_allclose(at(1.0), (at(1.0 - 1e-4) + at(1.0 + 1e-4)) / 2, rtol=1e-7)


def test_fallback_series_agrees_with_scipy_hyp2f1() -> None:
    c = np.array([1.2, 3.0, 40.0, 500.0, -0.7])
    z = np.array([0.1, 0.5, 0.8, 0.95, 0.6])

    series = series_excess(1.9, 0.7, c, z)
    scipy = hyp2f1_excess(1.9, -0.3, c, z)

    np.testing.assert_allclose(series, scipy, rtol=1e-10)


def test_expected_spend_at_the_cdnow_estimates_weights_population_and_customer_means() -> None:
    p, q, v = CDNOW_SPEND.p, CDNOW_SPEND.q, CDNOW_SPEND.v
    population = p * v / (q - 1)
    by_hand = [
        (q - 1) / (p * x + q - 1) * population + p * x / (p * x + q - 1) * m
        for x, m in [(1, 25.0), (2, 18.5), (12, 61.2)]
    ]

    spend = clv.gamma_gamma_expected_spend(CDNOW_SPEND, [1, 2, 12], [25.0, 18.5, 61.2])

    np.testing.assert_allclose(spend, by_hand, rtol=1e-12)


def test_expected_spend_without_repeat_purchases_is_the_population_mean() -> None:
    spend = clv.gamma_gamma_expected_spend(CDNOW_SPEND, [0.0, 0.0], [0.0, 123.0])

    np.testing.assert_allclose(spend, [6.25 * 15.44 / 2.74] * 2, rtol=1e-12)


def test_lifetime_value_is_computed_per_customer_even_when_histories_repeat() -> None:
    value = clv.customer_lifetime_value(
        CDNOW, CDNOW_SPEND, X, T_X, AGE, SPEND, horizon_periods=52, discount_rate_per_period=0.002
    )
    one_by_one = [
        clv.customer_lifetime_value(
            CDNOW, CDNOW_SPEND, X[i : i + 1], T_X[i : i + 1], AGE[i : i + 1], SPEND[i : i + 1],
            horizon_periods=52, discount_rate_per_period=0.002,
        )[0]
        for i in range(X.size)
    ]  # fmt: skip

    np.testing.assert_allclose(value, one_by_one, rtol=1e-12)


def test_undiscounted_lifetime_value_is_expected_purchases_times_expected_spend() -> None:
    value = clv.customer_lifetime_value(
        CDNOW, CDNOW_SPEND, X, T_X, AGE, SPEND,
        horizon_periods=52, discount_rate_per_period=0.0, step=5,
    )  # fmt: skip

    purchases = clv.bgnbd_expected_purchases(CDNOW, 52.0, X, T_X, AGE)
    spend = clv.gamma_gamma_expected_spend(CDNOW_SPEND, X, SPEND)
    np.testing.assert_allclose(value, purchases * spend, rtol=1e-10)


def test_lifetime_value_discounts_each_step_at_its_end() -> None:
    value = clv.customer_lifetime_value(
        CDNOW, CDNOW_SPEND, [2.0], [30.43], [38.86], [18.5],
        horizon_periods=8, discount_rate_per_period=0.01, step=4,
    )  # fmt: skip

    first, both = clv.bgnbd_expected_purchases(CDNOW, [4.0, 8.0], 2.0, 30.43, 38.86)
    spend = clv.gamma_gamma_expected_spend(CDNOW_SPEND, 2.0, 18.5)
    by_hand = spend * (first / 1.01**4 + (both - first) / 1.01**8)
    np.testing.assert_allclose(value, [by_hand], rtol=1e-12)


def test_extreme_histories_give_finite_bounded_predictions() -> None:
    days = BGNBDParams(r=0.8, alpha=30.0, a=0.6, b=3.0, loglik=math.nan, n_customers=0)
    x = np.array([0.0, 500.0, 500.0, 3.0, 0.0, 1.0, 5000.0])
    t_x = np.array([0.0, 3000.0, 10.0, 1e5, 0.0, 0.0, 1e5])
    age = np.array([0.0, 3000.0, 3000.0, 1e5, 1e5, 1e5, 1e5])

    for params in (CDNOW, days):
        alive = clv.bgnbd_probability_alive(params, x, t_x, age)
        purchases = clv.bgnbd_expected_purchases(params, 365.0, x, t_x, age)
        value = clv.customer_lifetime_value(
            params, CDNOW_SPEND, x, t_x, age, np.full(7, 30.0),
            horizon_periods=365, discount_rate_per_period=0.0003, step=30,
        )  # fmt: skip
        assert np.isfinite(alive).all()
        assert ((alive >= 0) & (alive <= 1)).all()
        assert np.isfinite(purchases).all()
        assert (purchases >= 0).all()
        assert np.isfinite(value).all()
        assert (value >= 0).all()


def test_expected_purchases_broadcast_a_grid_of_horizons_over_customers() -> None:
    horizons = np.array([[1.0], [39.0], [39.0]])
    x, t_x, age = np.array([2.0, 0.0, 2.0, 10.0]), np.array([30.43, 0.0, 30.43, 35.0]), 38.86

    grid = clv.bgnbd_expected_purchases(CDNOW, horizons, x, t_x, age)

    one_by_one = [
        [expected_purchases_by_hand(CDNOW, t, xi, ti, age) for xi, ti in zip(x, t_x, strict=True)]
        for t in horizons.ravel()
    ]
    assert grid.shape == (3, 4)
    np.testing.assert_allclose(grid, one_by_one, rtol=1e-10)


def test_lifetime_value_of_customers_sharing_x_and_t_differs_by_recency_and_spend() -> None:
    x = np.array([3.0, 3.0, 3.0, 0.0, 0.0])
    t_x = np.array([35.0, 10.0, 35.0, 0.0, 0.0])
    age = np.array([38.0, 38.0, 38.0, 38.0, 20.0])
    spend = np.array([20.0, 20.0, 45.0, 0.0, 0.0])
    ends, rate = np.array([10.0, 20.0, 25.0]), 0.004

    value = clv.customer_lifetime_value(
        CDNOW, CDNOW_SPEND, x, t_x, age, spend,
        horizon_periods=25, discount_rate_per_period=rate, step=10,
    )  # fmt: skip

    cumulative = clv.bgnbd_expected_purchases(CDNOW, ends[:, None], x, t_x, age)
    steps = np.diff(cumulative, axis=0, prepend=0.0)
    by_hand = (steps / (1 + rate) ** ends[:, None]).sum(axis=0)
    by_hand *= clv.gamma_gamma_expected_spend(CDNOW_SPEND, x, spend)
    np.testing.assert_allclose(value, by_hand, rtol=1e-12)
    assert value[0] > value[1]
    assert value[2] > value[0]


def test_lifetime_value_of_no_customers_is_empty() -> None:
    value = clv.customer_lifetime_value(
        CDNOW, CDNOW_SPEND, [], [], [], [], horizon_periods=52, discount_rate_per_period=0.002
    )

    assert value.shape == (0,)
