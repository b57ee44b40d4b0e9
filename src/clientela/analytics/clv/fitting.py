"""What both likelihoods share: weights, distinct levels of a column, and the optimiser."""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize

from clientela.analytics.clv.compression import FloatArray, IntArray, as_floats, group_rows

# Each log-parameter is searched within this distance of its start.
_LOG_BOUND = 30.0

ValueAndGradient = Callable[[FloatArray], tuple[float, FloatArray]]


class ConvergenceError(RuntimeError):
    """The optimiser stopped before reaching a maximum of the likelihood."""


def dot(weights: FloatArray, values: FloatArray) -> float:
    # einsum's own loop, not BLAS: a threaded BLAS dot of long vectors stalls on busy machines.
    return float(np.einsum("i,i->", weights, values))


def weights_for(weights: npt.ArrayLike | None, x: FloatArray) -> FloatArray:
    w = np.ones_like(x) if weights is None else as_floats(weights)
    if w.shape != x.shape or not np.isfinite(w).all() or (w < 0).any():
        raise ValueError("weights must be finite, non-negative and one per row")
    return w


@dataclass(frozen=True)
class Levels:
    """The distinct values of a column, each row's level, and per level the sums of w and w x."""

    values: FloatArray
    index: IntArray
    weights: FloatArray
    weighted_x: FloatArray


def levels_of(column: FloatArray, weights: FloatArray, x: FloatArray) -> Levels:
    """Terms that depend on this column alone are then computed once per distinct value."""
    first, index = group_rows([column])
    return Levels(
        column[first],
        index,
        as_floats(np.bincount(index, weights=weights, minlength=first.size)),
        as_floats(np.bincount(index, weights=weights * x, minlength=first.size)),
    )


def maximise(
    value_and_gradient: ValueAndGradient, start: FloatArray, scale: float, what: str
) -> tuple[FloatArray, float]:
    """Maximise a log-likelihood over log-parameters with SLSQP; return (params, loglik).

    Not L-BFGS-B: its C core calls BLAS on matrices of a few rows, and on a busy machine
    OpenBLAS's worker threads, woken on every iteration and left spinning, took as much CPU
    as the likelihood itself (the BG/NBD fit of 1,000,000 customers ran twice as slow).
    """

    def objective(log_theta: FloatArray) -> tuple[float, FloatArray]:
        value, gradient = value_and_gradient(np.exp(log_theta))
        return -value / scale, -gradient / scale

    bounds = [(s - _LOG_BOUND, s + _LOG_BOUND) for s in start]
    result = minimize(
        objective,
        start,
        jac=True,
        method="SLSQP",
        bounds=bounds,
        options={"maxiter": 1000, "ftol": 1e-14},
    )
    # The optimiser may stop on a line-search hiccup at the optimum; a flat gradient counts.
    if not (result.success or np.max(np.abs(result.jac)) < 1e-5):
        raise ConvergenceError(f"{what} fit did not converge: {result.message}")
    return np.exp(result.x), -float(result.fun) * scale
