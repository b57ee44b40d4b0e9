"""RFM: recency, frequency and monetary scores 1-5 by quintile, and the named segment grid."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from clientela.analytics.models import RfmSegment

FloatArray = npt.NDArray[np.float64]
ScoreArray = npt.NDArray[np.int8]

S = RfmSegment
# The usual R x F map (rows: R score 1-5, columns: F score 1-5); docs/analytics.md draws it.
GRID: tuple[tuple[RfmSegment, ...], ...] = (
    (S.LOST, S.HIBERNATING, S.AT_RISK, S.AT_RISK, S.CANT_LOSE),  # R 1
    (S.HIBERNATING, S.HIBERNATING, S.AT_RISK, S.AT_RISK, S.CANT_LOSE),  # R 2
    (S.ABOUT_TO_SLEEP, S.ABOUT_TO_SLEEP, S.NEED_ATTENTION, S.LOYAL, S.LOYAL),  # R 3
    (S.PROMISING, S.POTENTIAL_LOYALISTS, S.POTENTIAL_LOYALISTS, S.LOYAL, S.LOYAL),  # R 4
    (S.NEW, S.POTENTIAL_LOYALISTS, S.POTENTIAL_LOYALISTS, S.CHAMPIONS, S.CHAMPIONS),  # R 5
)
SEGMENTS: tuple[str, ...] = tuple(S.values)
_CODES = np.array([[SEGMENTS.index(cell) for cell in row] for row in GRID], dtype=np.int8)


def quintile_scores(values: npt.ArrayLike) -> ScoreArray:
    """1 + floor(5 x the share of customers with a strictly lower value): higher is better.

    Equal values always get equal scores, so many one-purchase customers all score 1 on
    frequency instead of being split arbitrarily across quintiles.
    """
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return np.empty(0, dtype=np.int8)
    below = np.searchsorted(np.sort(v), v, side="left")
    return (1 + (5 * below) // v.size).astype(np.int8)


def quintile_cutoffs(values: npt.ArrayLike) -> list[float]:
    """The four values a score must exceed to reach 2, 3, 4 and 5: with them,
    `scores_from_cutoffs` gives every one of `values` the score `quintile_scores` gives it.

    (Score 1 + floor(5 x below / n) reaches j + 1 when at least ceil(j x n / 5) values are
    strictly lower, that is when the value exceeds the sorted value at that position - 1.)
    """
    v = np.asarray(values, dtype=np.float64)
    if v.size == 0:
        return []
    positions = [-(-j * v.size // 5) - 1 for j in range(1, 5)]
    # Four order statistics: a partition finds them in linear time (a refresh has millions).
    placed = np.partition(v, positions)
    return [float(placed[p]) for p in positions]


def scores_from_cutoffs(values: npt.ArrayLike, cutoffs: list[float]) -> ScoreArray:
    """Scores 1-5 of values placed among the customers whose `quintile_cutoffs` these are."""
    v = np.asarray(values, dtype=np.float64)
    above: npt.NDArray[np.int64] = (v[:, None] > np.asarray(cutoffs, dtype=np.float64)).sum(1)
    return (1 + above).astype(np.int8)


def rfm_scores(
    days_since_last: npt.ArrayLike, occasions: npt.ArrayLike, total: npt.ArrayLike
) -> tuple[ScoreArray, ScoreArray, ScoreArray]:
    """R (fewer days since the last purchase is better), F (more occasions), M (more spent)."""
    recency = -np.asarray(days_since_last, dtype=np.float64)
    return quintile_scores(recency), quintile_scores(occasions), quintile_scores(total)


def segment_codes(r: ScoreArray, f: ScoreArray) -> npt.NDArray[np.int8]:
    """Index into SEGMENTS of each customer's cell of the grid."""
    return _CODES[np.asarray(r, dtype=np.intp) - 1, np.asarray(f, dtype=np.intp) - 1]


def segment_of(r: int, f: int) -> RfmSegment:
    """The named segment of one pair of scores."""
    return GRID[r - 1][f - 1]
