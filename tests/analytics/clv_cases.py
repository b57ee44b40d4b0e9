"""Shared cases of the CLV tests: the published CDNOW estimates, a few literal histories, and
draws from the models' own generative stories."""

from __future__ import annotations

import math

import numpy as np

from clientela.analytics.clv import BGNBDParams, GammaGammaParams

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
