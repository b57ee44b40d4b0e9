"""RFM scores by quintile and the named segment grid."""

from __future__ import annotations

import numpy as np

from clientela.analytics.models import RfmSegment
from clientela.analytics.services.rfm import (
    SEGMENTS,
    quintile_scores,
    rfm_scores,
    segment_codes,
    segment_of,
)


def test_distinct_values_spread_over_the_five_quintiles() -> None:
    assert quintile_scores([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]).tolist() == [
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
        5,
        5,
    ]


def test_equal_values_get_equal_scores() -> None:
    scores = quintile_scores([5, 5, 5, 5, 9, 1])
    assert scores[0] == scores[1] == scores[2] == scores[3]


def test_ties_do_not_depend_on_the_order_of_the_customers() -> None:
    values = [3, 1, 3, 2, 3, 1, 2]
    scores = dict(zip(values, quintile_scores(values).tolist(), strict=True))
    reversed_scores = dict(zip(values[::-1], quintile_scores(values[::-1]).tolist(), strict=True))
    assert scores == reversed_scores


def test_customers_with_one_purchase_score_one_on_frequency() -> None:
    _r, f, _m = rfm_scores([10, 20, 30, 40, 50], [1, 1, 1, 2, 5], [10, 10, 10, 10, 10])
    assert f.tolist()[:3] == [1, 1, 1]
    assert f.tolist()[4] == 5


def test_fewer_days_since_the_last_purchase_is_a_better_recency_score() -> None:
    r, _f, _m = rfm_scores([1, 100, 400], [1, 1, 1], [1, 1, 1])
    assert r.tolist()[0] > r.tolist()[1] > r.tolist()[2]


def test_a_single_customer_scores_one_everywhere() -> None:
    r, f, m = rfm_scores([3], [2], [99.0])
    assert (r.tolist(), f.tolist(), m.tolist()) == ([1], [1], [1])


def test_the_grid_names_the_corners_as_the_literature_does() -> None:
    assert segment_of(5, 5) == RfmSegment.CHAMPIONS
    assert segment_of(5, 1) == RfmSegment.NEW
    assert segment_of(1, 1) == RfmSegment.LOST
    assert segment_of(1, 5) == RfmSegment.CANT_LOSE
    assert segment_of(3, 3) == RfmSegment.NEED_ATTENTION


def test_every_named_segment_appears_in_the_grid() -> None:
    scores = np.arange(1, 6, dtype=np.int8)
    r, f = np.repeat(scores, 5), np.tile(scores, 5)
    assert {SEGMENTS[c] for c in segment_codes(r, f)} == set(RfmSegment.values)
