"""The write-back's conversions from NumPy arrays to the values SQL is given."""

from __future__ import annotations

import numpy as np

from clientela.analytics.services.writeback import dates, integers, nullable


def test_nullable_rounds_and_gives_none_for_nan() -> None:
    assert nullable([1.005, np.nan, 2.25, -0.5], digits=1) == [1.0, None, 2.2, -0.5]
    values = nullable(np.array([0.125, np.nan]))
    assert values == [0.125, None]
    assert isinstance(values[0], float)


def test_integers_truncate_towards_zero_and_give_none_for_nan() -> None:
    values = integers(np.array([3.0, np.nan, -2.7, 1e12]))
    assert values == [3, None, -2, 10**12]
    assert all(isinstance(v, int) for v in values if v is not None)


def test_dates_are_iso_text_with_none_for_the_missing_day() -> None:
    days = np.array([0, -1, 20_000, 19_999, 0])
    assert dates(days, missing=-1) == [
        "1970-01-01",
        None,
        "2024-10-04",
        "2024-10-03",
        "1970-01-01",
    ]
    # Few parties over many centuries: formatted one by one instead of from a table.
    assert dates(np.array([-700_000, 2_000_000])) == ["0053-06-19", "7445-10-25"]  # by datetime
    assert dates(np.array([-1, -1]), missing=-1) == [None, None]
    assert dates(np.array([], dtype=np.int64)) == []
