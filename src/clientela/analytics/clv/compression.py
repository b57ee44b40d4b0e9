"""Customer histories: checks, and grouping of identical rows into distinct ones with counts."""

# ruff: noqa: N803 -- T is the papers' name for a customer's age; the code follows them.

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

# Whole-number columns spanning fewer values than this are their own codes, with no sort.
_MAX_OFFSET_SPAN = 1 << 31
# A combined key over at most this many levels per row is grouped by counting, not sorting.
_DENSE_LEVELS_PER_ROW = 2
_DENSE_LEVELS_MIN = 1 << 16
_MAX_KEY_LEVELS = 1 << 62


@dataclass(frozen=True)
class CompressedRows:
    """Distinct customer histories, the number of customers on each, and the map back."""

    x: FloatArray
    t_x: FloatArray
    T: FloatArray
    monetary: FloatArray | None
    weights: FloatArray
    inverse: IntArray


def as_floats(values: npt.ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def check_histories(x: FloatArray, t_x: FloatArray, T: FloatArray) -> None:
    if not (x.shape == t_x.shape == T.shape and x.ndim == 1):
        raise ValueError("x, t_x and T must be one-dimensional arrays of the same length")
    if not (np.isfinite(x).all() and np.isfinite(t_x).all() and np.isfinite(T).all()):
        raise ValueError("x, t_x and T must be finite")
    if (x < 0).any() or (t_x < 0).any() or (t_x > T).any():
        raise ValueError("histories need x >= 0 and 0 <= t_x <= T")


def _codes(column: FloatArray) -> tuple[npt.NDArray[np.int64], int]:
    """Integer codes with the order and equalities of the values, and how many codes there are."""
    low, high = column.min(), column.max()
    # Real histories are whole days and counts over a short range: value - low is a code.
    if high - low < _MAX_OFFSET_SPAN and np.array_equal(column, np.trunc(column)):
        return (column - low).astype(np.int64), int(high - low) + 1
    return _ranks(column)


def _ranks(
    values: npt.NDArray[np.float64] | npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], int]:
    """Dense ranks 0, 1, ... of the values (equal values share one), by one sort."""
    order = np.argsort(values)
    ordered = values[order]
    new = np.empty(values.size, dtype=bool)
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    ranks = np.empty(values.size, dtype=np.int64)
    ranks[order] = np.cumsum(new) - 1
    return ranks, int(new.sum())


def group_rows(columns: Sequence[FloatArray]) -> tuple[IntArray, IntArray]:
    """Distinct rows of equal-length columns: (first, inverse).

    `first` holds one row index per distinct row, the distinct rows in lexicographic order of
    the columns; `inverse` maps every row to its distinct row. The columns are folded into one
    int64 key, grouped by counting when its levels are few and by one sort of the key otherwise:
    several times faster than a lexsort of the float columns.
    """
    n = columns[0].size
    if n == 0:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    key, levels = np.zeros(n, dtype=np.int64), 1
    for column in columns:
        codes, count = _codes(column)
        if levels * count > _MAX_KEY_LEVELS:
            key, levels = _ranks(key)
        key, levels = key * count + codes, levels * count
    if levels <= max(_DENSE_LEVELS_PER_ROW * n, _DENSE_LEVELS_MIN):
        present = np.flatnonzero(np.bincount(key, minlength=levels))
        group_of_level = np.empty(levels, dtype=np.intp)
        group_of_level[present] = np.arange(present.size)
        # Any row of a group represents it: the rows of a group are equal.
        row_of_level = np.empty(levels, dtype=np.intp)
        row_of_level[key] = np.arange(n)
        return row_of_level[present], group_of_level[key]
    order = np.argsort(key)
    ordered = key[order]
    starts = np.empty(n, dtype=bool)
    starts[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    inverse = np.empty(n, dtype=np.intp)
    inverse[order] = np.cumsum(starts) - 1
    return order[starts], inverse


def compress(
    frequency: npt.ArrayLike,
    recency: npt.ArrayLike,
    T: npt.ArrayLike,
    monetary: npt.ArrayLike | None = None,
) -> CompressedRows:
    """Collapse identical histories into unique rows with counts and an index to expand back."""
    x, t_x, age = as_floats(frequency), as_floats(recency), as_floats(T)
    check_histories(x, t_x, age)
    columns = [x, t_x, age] if monetary is None else [x, t_x, age, as_floats(monetary)]
    if columns[-1].shape != x.shape:
        raise ValueError("monetary must have one value per customer")
    first, inverse = group_rows(columns)
    weights = np.bincount(inverse, minlength=first.size).astype(np.float64)
    unique = [column[first] for column in columns]
    spend = unique[3] if monetary is not None else None
    return CompressedRows(unique[0], unique[1], unique[2], spend, weights, inverse)
