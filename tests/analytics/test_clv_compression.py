"""Customers compressed to their distinct histories (analytics/clv/compression.py)."""

from __future__ import annotations

import numpy as np
import pytest

from clientela.analytics import clv
from tests.analytics.clv_cases import (
    CDNOW,
)


def unique_rows_by_numpy(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    stacked = np.column_stack(columns)
    unique, inverse, counts = np.unique(stacked, axis=0, return_inverse=True, return_counts=True)
    return unique, inverse.ravel(), counts


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


def test_a_last_purchase_after_the_end_of_observation_is_refused() -> None:
    with pytest.raises(ValueError, match="t_x <= T"):
        clv.compress([1.0], [12.0], [10.0])


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
