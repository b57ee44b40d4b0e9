"""The demo's history: three years of orders with realistic rhythms, and interactions.

Customers follow one of a few purchase patterns (loyal repeat buyers, occasional buyers,
one-time buyers, lapsed customers who stopped, newcomers); amounts come from the catalogue.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum

from clientela.commerce.models import Order, OrderLine, OrderStatus, SalesChannel
from clientela.demo.services.catalogue import CATALOGUE, Product
from clientela.interactions.models import Interaction
from clientela.parties.models import Party

YEARS = 3
CENT = Decimal("0.01")
B2C_PRODUCTS = tuple(p for p in CATALOGUE if not p.b2b)
B2B_PRODUCTS = CATALOGUE
# What a café or hotel orders at once, and how often each extra joins its regular order.
TRADE_QUANTITY = {
    "COF-ESP-1K": (4, 20),
    "COF-HOR-6K": (1, 5),
    "TEA-HOR-500": (1, 2),
    "SYR-VAN-1": (2, 8),
    "SYR-CAR-1": (2, 8),
    "PAP-CUP-1K": (1, 4),
    "PAP-NAP-2K": (1, 3),
}
TRADE_EXTRAS = {
    "TEA-HOR-500": 3.0,
    "SYR-VAN-1": 3.0,
    "SYR-CAR-1": 2.0,
    "PAP-CUP-1K": 3.0,
    "PAP-NAP-2K": 2.0,
    "CUP-HOR-48": 0.6,
    "MAC-SVC-YR": 0.15,
    "MAC-FRE-2G": 0.05,
}
# How often a household picks a product of each category: consumables far more than machines.
B2C_WEIGHTS = {
    "Coffee": 10.0,
    "Tea": 6.0,
    "Tableware": 3.0,
    "Kitchen": 3.0,
    "Textiles": 1.5,
    "Gifts": 2.0,
    "Machines": 0.5,
}


class Segment(Enum):
    LOYAL = "loyal"
    OCCASIONAL = "occasional"
    ONE_TIME = "one-time"
    LAPSED = "lapsed"
    NEW = "new"


B2C_MIX = {
    Segment.LOYAL: 22,
    Segment.OCCASIONAL: 22,
    Segment.ONE_TIME: 30,
    Segment.LAPSED: 18,
    Segment.NEW: 8,
}
B2B_MIX = {
    Segment.LOYAL: 45,
    Segment.OCCASIONAL: 25,
    Segment.ONE_TIME: 5,
    Segment.LAPSED: 15,
    Segment.NEW: 10,
}


@dataclass
class Customer:
    """A customer party and how it buys."""

    party: Party
    segment: Segment
    b2b: bool
    via_distributor: bool = False
    dates: list[datetime] = field(default_factory=list)
    currency: str = "EUR"  # what its orders are invoiced in (the company reports in EUR)


@dataclass
class History:
    rng: random.Random
    now: datetime
    orders: list[Order] = field(default_factory=list)
    lines: list[OrderLine] = field(default_factory=list)
    interactions: list[Interaction] = field(default_factory=list)

    @property
    def start(self) -> datetime:
        return self.now - timedelta(days=365 * YEARS)


def pick_segment(rng: random.Random, *, b2b: bool) -> Segment:
    mix = B2B_MIX if b2b else B2C_MIX
    return rng.choices(list(mix), weights=list(mix.values()))[0]


def _at_business_hours(rng: random.Random, moment: datetime) -> datetime:
    return moment.replace(
        hour=rng.randint(8, 20), minute=rng.randint(0, 59), second=0, microsecond=0
    )


def purchase_dates(history: History, segment: Segment, *, b2b: bool) -> list[datetime]:
    """When the customer bought: a rhythm around a personal mean gap, within three years."""
    rng, now, start = history.rng, history.now, history.start
    span = (now - start).days
    if segment is Segment.ONE_TIME:
        first = start + timedelta(days=rng.uniform(0, span - 2))
        return [_at_business_hours(rng, first)]
    if segment is Segment.NEW:
        first = now - timedelta(days=rng.uniform(10, 110))
        mean_gap, end = rng.uniform(15, 40), now
    elif segment is Segment.LAPSED:
        first = start + timedelta(days=rng.uniform(0, span * 0.35))
        mean_gap = rng.uniform(30, 90) if not b2b else rng.uniform(20, 45)
        end = max(first + timedelta(days=120), now - timedelta(days=rng.uniform(270, 600)))
    else:
        first = start + timedelta(days=rng.uniform(0, span * 0.5))
        if segment is Segment.LOYAL:
            mean_gap = rng.uniform(14, 40) if b2b else rng.uniform(25, 60)
        else:
            mean_gap = rng.uniform(60, 120) if b2b else rng.uniform(100, 210)
        end = now
    dates: list[datetime] = []
    moment = first
    while moment < end and len(dates) < 90:
        dates.append(_at_business_hours(rng, moment))
        # A gamma gap with shape 3 keeps a rhythm without being clockwork.
        moment += timedelta(days=max(3.0, rng.gammavariate(3, mean_gap / 3)))
    return [d for d in dates if d < now - timedelta(hours=1)] or [_at_business_hours(rng, first)]


def _basket(rng: random.Random, *, b2b: bool, favourite: Product) -> list[tuple[Product, int]]:
    if b2b:
        extras = rng.choices(
            list(TRADE_EXTRAS), weights=list(TRADE_EXTRAS.values()), k=rng.randint(0, 3)
        )
        chosen = {favourite, *(p for p in CATALOGUE if p.sku in extras)}
        return [
            (p, rng.randint(*TRADE_QUANTITY.get(p.sku, (1, 1))))
            for p in sorted(chosen, key=lambda p: p.sku)
        ]
    count = rng.choices([1, 2, 3, 4], weights=[45, 30, 15, 10])[0]
    weights = [B2C_WEIGHTS.get(p.category, 1.0) for p in B2C_PRODUCTS]
    chosen = set(rng.choices(B2C_PRODUCTS, weights=weights, k=count))
    if rng.random() < 0.7:
        chosen.add(favourite)
    return [
        (p, 1 if p.category in {"Machines", "Gifts"} else rng.choices([1, 2, 3], [70, 22, 8])[0])
        for p in sorted(chosen, key=lambda p: p.sku)
    ]


def _status(rng: random.Random) -> str:
    return rng.choices(
        [OrderStatus.COMPLETED, OrderStatus.CANCELLED, OrderStatus.REFUNDED], weights=[94, 3.5, 2.5]
    )[0]


def _sales_channel(rng: random.Random, customer: Customer) -> str:
    if customer.via_distributor:
        return SalesChannel.DISTRIBUTOR
    if customer.b2b:
        channels = [SalesChannel.SALES_REP, SalesChannel.WEB, SalesChannel.PHONE]
        return rng.choices(channels, weights=[55, 30, 15])[0]
    channels = [SalesChannel.WEB, SalesChannel.STORE, SalesChannel.MARKETPLACE, SalesChannel.PHONE]
    return rng.choices(channels, weights=[50, 30, 15, 5])[0]


# The demo's exchange rates against the euro: one each weekday, as the ECB publishes them.
RATE_CURRENCIES = {"USD": (Decimal("1.08"), 0.04, 61), "GBP": (Decimal("0.855"), 0.015, 97)}


def rate_day(day: date) -> date:
    """The day whose rate an order of `day` takes: itself, or the Friday before a weekend."""
    return day - timedelta(days=max(0, day.weekday() - 4))


def demo_rate(currency: str, day: date) -> Decimal:
    """1 EUR in `currency` on a weekday: a slow, made-up wave around a plausible level."""
    level, swing, period = RATE_CURRENCIES[currency]
    wave = Decimal(str(round(swing * math.sin(day.toordinal() / period), 4)))
    return level + wave


def demo_rates(history: History) -> list[tuple[date, str, Decimal]]:
    """Every weekday's rates over the demo's years, oldest first."""
    day, rows = history.start.date(), []
    while day <= history.now.date():
        if day.weekday() < 5:
            rows += [(day, code, demo_rate(code, day)) for code in RATE_CURRENCIES]
        day += timedelta(days=1)
    return rows


def add_orders(history: History, customer: Customer) -> None:
    """The customer's orders with their lines; totals are the sum of the lines."""
    rng = history.rng
    customer.dates = purchase_dates(history, customer.segment, b2b=customer.b2b)
    if customer.b2b:
        pool = [p for p in CATALOGUE if p.sku in {"COF-ESP-1K", "COF-HOR-6K"}]
    else:
        pool = [p for p in B2C_PRODUCTS if p.category in {"Coffee", "Tea"}]
    favourite = rng.choice(pool)  # what a regular buyer comes back for
    for moment in customer.dates:
        basket = _basket(rng, b2b=customer.b2b, favourite=favourite)
        order = Order(
            external_id=f"AC-{moment:%Y}-{len(history.orders) + 1:07d}",
            party=customer.party,
            ordered_at=moment,
            currency=customer.currency,
            status=_status(rng),
            channel=_sales_channel(rng, customer),
            total=Decimal(0),
        )
        rate = Decimal(1)
        if customer.currency != "EUR":  # the euro price list at the day's rate
            rate = demo_rate(customer.currency, rate_day(moment.date()))
        for product, quantity in basket:
            price = Decimal(product.price)
            if customer.b2b:  # trade price
                price = (price * Decimal("0.85")).quantize(CENT)
            price = (price * rate).quantize(CENT)
            history.lines.append(
                OrderLine(
                    order=order,
                    sku=product.sku,
                    product=product.name,
                    category=product.category,
                    quantity=Decimal(quantity),
                    unit_price=price,
                )
            )
            order.total += price * quantity
        order.total = order.total.quantize(CENT)
        history.orders.append(order)
