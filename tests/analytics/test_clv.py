import math

import numpy as np
import pytest
from scipy.integrate import quad
from scipy.special import betaln

from clientela.analytics import clv
from clientela.analytics.clv import BGNBDParams, GammaGammaParams
from clientela.analytics.clv.purchases import hyp2f1_excess, series_excess

# Published estimates on the CDNOW sample: Fader, Hardie & Lee (2005) and Fader & Hardie (2013).
CDNOW = BGNBDParams(r=0.243, alpha=4.414, a=0.793, b=2.426, loglik=-9582.4, n_customers=2357)
CDNOW_SPEND = GammaGammaParams(p=6.25, q=3.74, v=15.44, loglik=math.nan)

X = np.array([0.0, 1.0, 2.0, 5.0, 0.0, 12.0, 1.0])
T_X = np.array([0.0, 1.71, 30.43, 20.0, 0.0, 38.0, 38.86])
AGE = np.array([38.86, 38.86, 38.86, 32.0, 27.0, 39.0, 38.86])
SPEND = np.array([0.0, 25.0, 18.5, 40.0, 0.0, 61.2, 9.99])


def simulate_bgnbd(
    rng: np.random.Generator, n: int, *, r: float, alpha: float, a: float, b: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Histories drawn from the BG/NBD story, observed over ages uniform on [100, 400]."""
    age = rng.uniform(100.0, 400.0, n)
    rate = rng.gamma(r, 1.0 / alpha, n)
    dropout = rng.beta(a, b, n)
    # The customer drops out right after this repeat purchase (geometric, support 1, 2, ...).
    last_purchase = rng.geometric(dropout)
    arrivals = rng.poisson(rate * age)
    x = np.minimum(arrivals, last_purchase)
    # Given n Poisson arrivals on (0, T], the k-th arrival is T times a Beta(k, n - k + 1) draw.
    t_x = np.where(x > 0, age * rng.beta(np.maximum(x, 1), arrivals - x + 1), 0.0)
    return x.astype(np.float64), t_x, age


def simulate_gamma_gamma(
    rng: np.random.Generator, x: np.ndarray, *, p: float, q: float, v: float
) -> np.ndarray:
    """Average spends: nu ~ Gamma(q, rate v), each spend ~ Gamma(p, rate nu), mean over x."""
    nu = rng.gamma(q, 1.0 / v, x.size)
    return rng.gamma(p * x, 1.0 / (nu * x))


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


def test_bgnbd_gradient_equals_finite_differences_of_the_loglik() -> None:
    theta = np.array([0.7, 5.0, 0.9, 2.2])
    weights = np.array([3.0, 1.0, 2.0, 1.0, 5.0, 1.0, 1.0])
    step = 1e-6
    numeric = np.empty(4)
    for i in range(4):
        up, down = theta.copy(), theta.copy()
        up[i] *= math.exp(step)
        down[i] *= math.exp(-step)
        numeric[i] = (
            clv.bgnbd_loglik(up, X, T_X, AGE, weights)
            - clv.bgnbd_loglik(down, X, T_X, AGE, weights)
        ) / (2 * step)

    analytic = clv.bgnbd_gradient(theta, X, T_X, AGE, weights)

    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-7)


def test_gamma_gamma_gradient_equals_finite_differences_of_the_loglik() -> None:
    x, spend = np.array([1.0, 2.0, 5.0, 12.0, 1.0]), np.array([25.0, 18.5, 40.0, 61.2, 9.99])
    theta = np.array([4.0, 3.0, 20.0])
    step = 1e-6
    numeric = np.empty(3)
    for i in range(3):
        up, down = theta.copy(), theta.copy()
        up[i] *= math.exp(step)
        down[i] *= math.exp(-step)
        numeric[i] = (
            clv.gamma_gamma_loglik(up, x, spend) - clv.gamma_gamma_loglik(down, x, spend)
        ) / (2 * step)

    analytic = clv.gamma_gamma_gradient(theta, x, spend)

    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-7)


def test_bgnbd_fit_recovers_the_parameters_that_simulated_the_data() -> None:
    # At 20,000 customers the sampling error of a and b is about 3%, of r and alpha about 1.5%.
    x, t_x, age = simulate_bgnbd(np.random.default_rng(7), 20_000, r=1.5, alpha=20.0, a=1.2, b=6.0)

    fitted = clv.fit_bgnbd(x, t_x, age)

    estimates = [fitted.r, fitted.alpha, fitted.a, fitted.b]
    np.testing.assert_allclose(estimates, [1.5, 20.0, 1.2, 6.0], rtol=0.10)
    assert fitted.n_customers == 20_000


def test_gamma_gamma_fit_recovers_the_parameters_that_simulated_the_data() -> None:
    rng = np.random.default_rng(11)
    x = rng.integers(1, 5, 20_000).astype(np.float64)
    spend = simulate_gamma_gamma(rng, x, p=1.0, q=3.0, v=10.0)

    fitted = clv.fit_gamma_gamma(x, spend)

    np.testing.assert_allclose([fitted.p, fitted.q, fitted.v], [1.0, 3.0, 10.0], rtol=0.10)


def test_gamma_gamma_fit_ignores_customers_without_repeat_purchases() -> None:
    rng = np.random.default_rng(5)
    x = rng.integers(1, 5, 500).astype(np.float64)
    spend = simulate_gamma_gamma(rng, x, p=1.0, q=3.0, v=10.0)

    with_zeros = clv.fit_gamma_gamma(np.append(x, [0.0, 0.0]), np.append(spend, [0.0, 0.0]))
    without = clv.fit_gamma_gamma(x, spend)

    assert with_zeros == without


def test_fit_on_compressed_rows_equals_fit_on_every_customer() -> None:
    x, t_x, age = simulate_bgnbd(np.random.default_rng(3), 2_000, r=1.5, alpha=20.0, a=1.2, b=6.0)
    t_x, age = np.round(t_x), np.round(age)
    rows = clv.compress(x, t_x, age)

    per_customer = clv.fit_bgnbd(x, t_x, age)
    compressed = clv.fit_bgnbd(rows.x, rows.t_x, rows.T, rows.weights)

    assert rows.x.size < x.size
    np.testing.assert_allclose(
        [compressed.r, compressed.alpha, compressed.a, compressed.b, compressed.loglik],
        [per_customer.r, per_customer.alpha, per_customer.a, per_customer.b, per_customer.loglik],
        rtol=1e-6,
    )
    assert compressed.n_customers == per_customer.n_customers


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


def test_compress_counts_the_customers_on_each_unique_history() -> None:
    rows = clv.compress([0, 2, 0, 2, 2], [0, 5, 0, 5, 6], [10, 10, 10, 10, 10])

    np.testing.assert_array_equal(rows.x, [0, 2, 2])
    np.testing.assert_array_equal(rows.t_x, [0, 5, 6])
    np.testing.assert_array_equal(rows.weights, [2, 2, 1])
    np.testing.assert_array_equal(rows.inverse, [0, 1, 0, 1, 2])


def test_compressed_predictions_expand_to_the_per_customer_predictions() -> None:
    x = np.array([0.0, 3.0, 0.0, 3.0, 7.0, 3.0, 0.0, 1.0])
    t_x = np.array([0.0, 20.0, 0.0, 20.0, 35.0, 21.0, 0.0, 2.0])
    age = np.array([38.0, 38.0, 38.0, 38.0, 38.0, 38.0, 30.0, 38.0])
    rows = clv.compress(x, t_x, age)

    alive = clv.bgnbd_probability_alive(CDNOW, rows.x, rows.t_x, rows.T)[rows.inverse]
    purchases = clv.bgnbd_expected_purchases(CDNOW, 52.0, rows.x, rows.t_x, rows.T)[rows.inverse]

    assert rows.x.size == 6
    np.testing.assert_array_equal(alive, clv.bgnbd_probability_alive(CDNOW, x, t_x, age))
    np.testing.assert_array_equal(purchases, clv.bgnbd_expected_purchases(CDNOW, 52.0, x, t_x, age))


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


def test_extreme_histories_give_a_finite_loglik_and_gradient() -> None:
    x = np.array([0.0, 500.0, 500.0, 3.0, 0.0, 5000.0])
    t_x = np.array([0.0, 3000.0, 10.0, 1e5, 0.0, 1e5])
    age = np.array([0.0, 3000.0, 3000.0, 1e5, 1e5, 1e5])
    theta = np.array([0.243, 4.414, 0.793, 2.426])

    assert math.isfinite(clv.bgnbd_loglik(theta, x, t_x, age))
    assert np.isfinite(clv.bgnbd_gradient(theta, x, t_x, age)).all()


def test_a_last_purchase_after_the_end_of_observation_is_refused() -> None:
    with pytest.raises(ValueError, match="t_x <= T"):
        clv.compress([1.0], [12.0], [10.0])


def unique_rows_by_numpy(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    stacked = np.column_stack(columns)
    unique, inverse, counts = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
    return unique, inverse.ravel(), counts


@pytest.mark.parametrize(
    ("days", "longest"),
    [
        pytest.param(1.0, 15, id="whole days over a fortnight"),
        pytest.param(1.0, 400, id="whole days over a year"),
        pytest.param(1 / 7, 53, id="fractional weeks"),
        pytest.param(2.0**40, 40, id="whole numbers beyond a short range"),
    ],
)
def test_compress_finds_the_same_rows_counts_and_inverse_as_numpy_unique(
    days: float, longest: int
) -> None:
    rng = np.random.default_rng(17)
    age = rng.integers(1, longest, 3_000) * days
    t_x = np.floor(age / days * rng.uniform(0, 1, age.size)) * days
    x = rng.integers(0, 4, age.size).astype(np.float64)
    spend = rng.choice([-2.5, 0.0, 9.99, 10.0, 1e9], age.size)

    rows = clv.compress(x, t_x, age, spend)

    unique, inverse, counts = unique_rows_by_numpy(x, t_x, age, spend)
    assert rows.monetary is not None
    np.testing.assert_array_equal(
        np.column_stack([rows.x, rows.t_x, rows.T, rows.monetary]), unique
    )
    np.testing.assert_array_equal(rows.inverse, inverse)
    np.testing.assert_array_equal(rows.weights, counts)


def test_compress_handles_columns_whose_combined_range_overflows_an_integer_key() -> None:
    big = 2.0**31 - 1
    x = np.array([0.0, big, 0.0, big, big])
    t_x = np.array([0.0, 0.0, big, 0.0, 0.0])
    age = np.full(5, big)
    spend = np.array([1.5, 2.5, 1.5, 2.5, 3.5])

    rows = clv.compress(x, t_x, age, spend)

    unique, inverse, counts = unique_rows_by_numpy(x, t_x, age, spend)
    assert rows.monetary is not None
    np.testing.assert_array_equal(
        np.column_stack([rows.x, rows.t_x, rows.T, rows.monetary]), unique
    )
    np.testing.assert_array_equal(rows.inverse, inverse)
    np.testing.assert_array_equal(rows.weights, counts)


def test_compress_puts_minus_zero_and_zero_on_one_row() -> None:
    rows = clv.compress([1.0, 1.0], [0.5, 0.5], [2.0, 2.0], [-0.0, 0.0])

    np.testing.assert_array_equal(rows.weights, [2.0])


def test_compress_of_no_customers_is_empty() -> None:
    rows = clv.compress([], [], [])

    assert rows.x.size == rows.weights.size == rows.inverse.size == 0


def test_gamma_gamma_fit_on_weighted_distinct_rows_equals_fit_on_every_customer() -> None:
    rng = np.random.default_rng(13)
    x = rng.integers(1, 4, 3_000).astype(np.float64)
    spend = np.round(simulate_gamma_gamma(rng, x, p=2.0, q=3.0, v=10.0), 0) + 1.0
    rows = clv.compress(x, np.zeros_like(x), np.zeros_like(x), spend)
    assert rows.monetary is not None

    per_customer = clv.fit_gamma_gamma(x, spend)
    compressed = clv.fit_gamma_gamma(rows.x, rows.monetary, rows.weights)

    assert rows.x.size < x.size
    np.testing.assert_allclose(
        [compressed.p, compressed.q, compressed.v, compressed.loglik],
        [per_customer.p, per_customer.q, per_customer.v, per_customer.loglik],
        rtol=1e-6,
    )


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
