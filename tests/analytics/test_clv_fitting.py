"""The CLV models' likelihoods, gradients and fits (analytics/clv: bgnbd, gamma_gamma, fitting)."""

from __future__ import annotations

import math

import numpy as np

from clientela.analytics import clv
from tests.analytics.clv_cases import (
    AGE,
    T_X,
    X,
    simulate_bgnbd,
    simulate_gamma_gamma,
)


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


def test_extreme_histories_give_a_finite_loglik_and_gradient() -> None:
    x = np.array([0.0, 500.0, 500.0, 3.0, 0.0, 5000.0])
    t_x = np.array([0.0, 3000.0, 10.0, 1e5, 0.0, 1e5])
    age = np.array([0.0, 3000.0, 3000.0, 1e5, 1e5, 1e5])
    theta = np.array([0.243, 4.414, 0.793, 2.426])

    assert math.isfinite(clv.bgnbd_loglik(theta, x, t_x, age))
    assert np.isfinite(clv.bgnbd_gradient(theta, x, t_x, age)).all()
