"""Lifecycle states from each customer's rhythm and the model, and their thresholds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ImproperlyConfigured

from clientela.analytics.services import lifecycle as lc
from clientela.analytics.services.config import LifecycleRules, SettingError, parse_lifecycle

RULES = LifecycleRules()


def histories(**overrides: list[Any]) -> lc.Histories:
    base: dict[str, list[Any]] = {
        "occasions": [3],
        "days_since_last": [10.0],
        "tenure_days": [200.0],
        "gap_days": [30.0],
        "p_alive": [0.9],
        "last_day": [100],
    }
    base.update(overrides)
    return lc.Histories(**{k: np.array(v) for k, v in base.items()})


def previous(state: int = lc.NO_STATE, last_day: int = -1, since_day: int = 0) -> lc.Previous:
    return lc.Previous(np.array([state], np.int8), np.array([last_day]), np.array([since_day]))


def state_of(h: lc.Histories, prev: lc.Previous | None = None, today: int = 200) -> str:
    states, _ = lc.next_states(h, prev or previous(), today=today, rules=RULES)
    return lc.STATES[int(states[0])]


def test_a_party_without_purchases_is_potential() -> None:
    assert (
        state_of(histories(occasions=[0], days_since_last=[np.nan], p_alive=[np.nan]))
        == "potential"
    )


def test_one_recent_purchase_is_new() -> None:
    assert state_of(histories(occasions=[1], tenure_days=[20.0], days_since_last=[20.0])) == "new"


def test_one_purchase_long_ago_is_judged_by_the_rhythm_not_as_new() -> None:
    h = histories(occasions=[1], tenure_days=[400.0], days_since_last=[400.0], gap_days=[60.0])
    assert state_of(h) == "lost"


def test_buying_within_the_usual_gap_is_active() -> None:
    assert state_of(histories()) == "active"


def test_silence_longer_than_one_and_a_half_gaps_is_at_risk() -> None:
    assert state_of(histories(days_since_last=[50.0])) == "at_risk"


def test_silence_longer_than_three_gaps_is_inactive() -> None:
    assert state_of(histories(days_since_last=[100.0])) == "inactive"


def test_silence_longer_than_six_gaps_is_lost() -> None:
    assert state_of(histories(days_since_last=[190.0])) == "lost"


def test_a_low_probability_alive_is_at_risk_even_within_the_rhythm() -> None:
    assert state_of(histories(p_alive=[0.5])) == "at_risk"
    assert state_of(histories(p_alive=[0.05])) == "lost"


def test_an_inactive_customer_who_buys_again_is_reactivated() -> None:
    prev = previous(lc.INACTIVE, last_day=50, since_day=150)
    assert state_of(histories(last_day=[195], days_since_last=[5.0]), prev) == "reactivated"


def test_a_lost_customer_without_a_new_purchase_stays_lost() -> None:
    prev = previous(lc.LOST, last_day=10, since_day=150)
    h = histories(last_day=[10], days_since_last=[190.0])
    assert state_of(h, prev) == "lost"


def test_reactivated_lasts_while_active_for_the_configured_days() -> None:
    prev = previous(lc.REACTIVATED, last_day=195, since_day=190)
    assert state_of(histories(), prev, today=200) == "reactivated"
    assert state_of(histories(), prev, today=190 + RULES.reactivated_days) == "active"


def test_the_state_start_day_is_kept_while_the_state_holds() -> None:
    prev = previous(lc.ACTIVE, last_day=100, since_day=42)
    _, since = lc.next_states(histories(), prev, today=200, rules=RULES)
    assert since.tolist() == [42]
    _, since = lc.next_states(histories(days_since_last=[50.0]), prev, today=200, rules=RULES)
    assert since.tolist() == [200]


def test_the_typical_gap_leans_on_the_population_when_history_is_short() -> None:
    gap = lc.typical_gap(
        np.array([0.0, 1.0, 50.0]), np.array([0.0, 2.0, 500.0]), r=1.0, alpha=60.0, default=90
    )
    assert gap[0] == 60.0  # one purchase: the population's gap
    assert 2.0 < gap[1] < 60.0  # two purchases two days apart: between own and population
    assert abs(gap[2] - 10.0) < 1.0  # a long history: about its own mean gap


def test_thresholds_can_be_configured_and_bad_ones_are_named() -> None:
    assert parse_lifecycle("new_days=30,at_risk_gaps=2").new_days == 30
    with pytest.raises(ImproperlyConfigured, match="bogus"):
        parse_lifecycle("bogus=3")
    with pytest.raises(ImproperlyConfigured, match="at_risk_p_alive"):
        parse_lifecycle("at_risk_p_alive=1.5")


def test_a_bad_setting_carries_a_code_and_its_values() -> None:
    with pytest.raises(SettingError) as caught:
        parse_lifecycle("at_risk_p_alive=1.5")
    assert caught.value.code == "setting_out_of_range"
    assert caught.value.params == {"setting": "CLIENTELA_LIFECYCLE.at_risk_p_alive", "value": "1.5"}
    assert str(caught.value) == "CLIENTELA_LIFECYCLE.at_risk_p_alive: '1.5' is out of range"
    with pytest.raises(SettingError) as unordered:
        parse_lifecycle("at_risk_gaps=9")
    assert unordered.value.code == "lifecycle_gaps_unordered"
