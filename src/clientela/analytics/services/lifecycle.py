"""Lifecycle states from the model and each customer's own rhythm."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from clientela.analytics.models import LifecycleState
from clientela.analytics.services.config import LifecycleRules

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
CodeArray = npt.NDArray[np.int8]

STATES: tuple[str, ...] = tuple(LifecycleState.values)
POTENTIAL, NEW, ACTIVE, AT_RISK, INACTIVE, REACTIVATED, LOST = range(len(STATES))
NO_STATE = -1  # the party had no row before this refresh


@dataclass(frozen=True)
class Histories:
    """What the rules look at, one entry per party (days are whole days; NaN when unknown)."""

    occasions: IntArray
    days_since_last: FloatArray
    tenure_days: FloatArray
    gap_days: FloatArray
    p_alive: FloatArray
    last_day: IntArray


@dataclass(frozen=True)
class Previous:
    """The state each party had after the last refresh (NO_STATE where it had none)."""

    state: CodeArray
    last_day: IntArray
    since_day: IntArray


def typical_gap(
    x: FloatArray, t_x: FloatArray, *, r: float | None, alpha: float | None, default: float
) -> FloatArray:
    """Days a customer usually leaves between purchases.

    With a fitted BG/NBD model: (alpha + t_x) / (r + x), the customer's own mean gap t_x / x
    pulled towards the population's alpha / r in proportion to how little history there is.
    Without one: t_x / x, or `default` for customers with a single occasion. At least one day.
    """
    if r is not None and alpha is not None:
        gap = (alpha + t_x) / (r + x)
    else:
        gap = np.where(x > 0, t_x / np.maximum(x, 1.0), default)
    return np.maximum(gap, 1.0)


def rule_states(h: Histories, rules: LifecycleRules) -> CodeArray:
    """The state each party's own history implies, before looking at the previous state."""
    silent = h.days_since_last / h.gap_days
    # Comparisons with NaN (no model, or no purchase) are False, which is what the rules need.
    with np.errstate(invalid="ignore"):
        lost = (
            (silent >= rules.lost_gaps)
            | (h.p_alive < rules.lost_p_alive)
            | (h.days_since_last >= rules.lost_days)
        )
        inactive = (silent >= rules.inactive_gaps) | (h.p_alive < rules.inactive_p_alive)
        at_risk = (silent >= rules.at_risk_gaps) | (h.p_alive < rules.at_risk_p_alive)
    new = (h.occasions == 1) & (h.tenure_days <= rules.new_days)
    states = np.select(
        [h.occasions == 0, new, lost, inactive, at_risk],
        [POTENTIAL, NEW, LOST, INACTIVE, AT_RISK],
        default=ACTIVE,
    )
    return states.astype(np.int8)


def next_states(
    h: Histories, previous: Previous, *, today: int, rules: LifecycleRules
) -> tuple[CodeArray, IntArray]:
    """Each party's state and the day it began, given the rules and the previous state.

    A customer who was inactive or lost and has bought since is "reactivated"; they keep that
    state while the rules say active, for `reactivated_days` from the day it began.
    """
    states = rule_states(h, rules)
    came_back = (
        np.isin(previous.state, (INACTIVE, LOST))
        & (h.last_day > previous.last_day)
        & (states == ACTIVE)
    )
    still_back = (
        (previous.state == REACTIVATED)
        & (states == ACTIVE)
        & (today - previous.since_day < rules.reactivated_days)
    )
    states[came_back | still_back] = REACTIVATED
    since = np.where(states == previous.state, previous.since_day, today)
    return states, since.astype(np.int64)
