"""API schemas of customer analytics."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from clientela.core.ids import Id


class Reason(Schema):
    """Why a figure is empty: a stable code and its text in the reader's language."""

    code: str
    message: str


class MetricsOut(Schema):
    """A party's metrics, up to date with its orders: every party has them (a party with no
    purchase is "potential", its purchase figures empty); money in `currency`, days are whole
    UTC days counted to `as_of`; `clv_reason` says why `clv` is empty, when it is;
    `unconverted_orders` of its orders had no exchange rate and are in none of the figures."""

    party_id: int
    as_of: date
    computed_at: datetime
    currency: str
    occasions: int
    frequency: int
    recency_days: int | None
    active_span_days: int | None
    tenure_days: int | None
    monetary: Decimal | None
    average_repeat_value: Decimal | None
    first_purchase_at: date | None
    last_purchase_at: date | None
    r_score: int | None
    f_score: int | None
    m_score: int | None
    rfm_segment: str
    p_alive: float | None
    expected_purchases: float | None
    expected_spend: Decimal | None
    clv: Decimal | None
    tier: str
    lifecycle_state: str
    state_since: date
    unconverted_orders: int
    horizon_days: int | None
    clv_reason: Reason | None


class UnconvertedOut(Schema):
    """Completed orders in one currency that no exchange rate converts: in no figure."""

    currency: str
    orders: int
    value: float
    first_day: date
    last_day: date


class SummaryOut(Schema):
    """Analytics over the parties the caller may see."""

    as_of: date | None
    computed_at: datetime | None
    currency: str
    currency_source: str
    horizon_days: int | None
    discount_rate: float | None
    excluded_orders: int
    unconverted: list[UnconvertedOut]
    parties: int
    customers: int
    repeat_customers: int
    revenue: float
    repeat_customer_revenue_share: float | None
    repeat_purchase_revenue_share: float | None
    total_clv: float
    expected_purchases: float
    lifecycle: dict[str, int]
    rfm_segments: dict[str, int]
    rfm_grid: list[list[int]]
    tiers: dict[str, int]
    bgnbd: dict[str, Any] | None
    gamma_gamma: dict[str, Any] | None


class TrendQuery(Schema):
    """The trend's filters, as the API and the page read them from the URL."""

    from_month: str = Field(default="", max_length=7, description="first month, YYYY-MM")
    to_month: str = Field(default="", max_length=7, description="last month, YYYY-MM")
    team_id: Id | None = None
    owner_id: Id | None = None
    segment_id: Id | None = None
    currency: str = Field(
        default="", max_length=3, description="only orders in this currency, not converted"
    )


class TrendMonthOut(Schema):
    """One month's figures (UTC month)."""

    month: date
    revenue: Decimal
    orders: int
    customers: int
    new_customers: int
    lost_customers: int
    unconverted_orders: int


class TrendTotalsOut(Schema):
    """The period's figures: customers are counted once however many months they bought in."""

    revenue: Decimal
    orders: int
    customers: int
    new_customers: int
    lost_customers: int
    unconverted_orders: int


class TrendsOut(Schema):
    """Revenue and customers per month over the parties the caller may see, filtered: money in
    `currency`, converted at each order's day's rate when `converted` (the reporting currency;
    `unconverted_orders` had no rate and are in no revenue), else only orders in it."""

    from_month: date
    to_month: date
    currency: str
    converted: bool
    months: list[TrendMonthOut]
    totals: TrendTotalsOut
