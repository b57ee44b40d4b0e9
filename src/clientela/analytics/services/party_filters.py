"""The party list's filters that analytics adds (core.registries.register_party_filter), so
that every figure of the analytics pages links to the parties behind it.

- `ordered=2026-03` (or `2026-01..2026-03`): parties with a completed order in those months;
- `first_ordered=…`: parties whose first completed order falls in those months (new customers);
- `order_currency=USD`: with the two above, only orders in that currency count; alone, parties
  with a completed order in it;
- `lost=…`: parties found lost in those months (a lifecycle change to "lost");
- `lifecycle=at_risk`, `tier=gold`: parties in that state or tier now;
- `r_score=5`, `f_score=4`: parties with those RFM scores now (a cell of the dashboard's grid);
- `clv=100..250` (from 100 up to, not including, 250) or `clv=50000..` (50000 and more):
  parties whose lifetime value, in the reporting currency, falls there (a bar of the
  dashboard's histogram).

Months are UTC months, the same rules as analytics.services.trends.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.accounts.models import User
from clientela.analytics.models import LifecycleState
from clientela.analytics.services.config import analytics_config
from clientela.analytics.services.trends import (
    lost_in,
    month_bounds,
    parse_months,
)
from clientela.commerce.models import Order, OrderStatus
from clientela.core.errors import Invalid, invalid
from clientela.core.money import is_currency
from clientela.core.registries import PartyFilter
from clientela.parties.models import Party

ORDER_PARAMS = ("ordered", "first_ordered", "order_currency")
METRICS_PARAMS = ("lifecycle", "tier", "lost", "r_score", "f_score", "clv")


def _currency(values: Mapping[str, str]) -> str:
    currency = values.get("order_currency", "").upper()
    if currency and not is_currency(currency):
        raise invalid(
            "order_currency",
            currency,
            gettext_lazy("is not an ISO 4217 currency code (such as EUR, USD, GBP, BRL)"),
            code="currency_unknown",
        )
    return currency


def filter_by_orders(
    user: User, parties: QuerySet[Party], values: Mapping[str, str]
) -> QuerySet[Party]:
    """Parties that ordered in the months, or first ordered in them, in a currency if named."""
    currency = _currency(values)
    orders = Order.objects.filter(party=OuterRef("pk"), status=OrderStatus.COMPLETED)
    if currency:
        orders = orders.filter(currency=currency)
        if not {"ordered", "first_ordered"} & set(values):
            return parties.filter(Exists(orders))
    for name in ("ordered", "first_ordered"):
        if name not in values:
            continue
        since, until = month_bounds(*parse_months(name, values[name]))
        parties = parties.filter(Exists(orders.filter(ordered_at__gte=since, ordered_at__lt=until)))
        if name == "first_ordered":
            parties = parties.filter(~Exists(orders.filter(ordered_at__lt=since)))
    return parties


def filter_by_metrics(
    user: User, parties: QuerySet[Party], values: Mapping[str, str]
) -> QuerySet[Party]:
    """Parties in a lifecycle state or a value tier now, or found lost in some months."""
    if state := values.get("lifecycle"):
        if state not in LifecycleState.values:
            raise invalid(
                "lifecycle", state, gettext_lazy("is not a lifecycle state"),
                code="lifecycle_state_unknown",
            )  # fmt: skip
        parties = parties.filter(metrics__lifecycle_state=state)
    if tier := values.get("tier"):
        if tier not in {t.name for t in analytics_config().tiers}:
            raise invalid("tier", tier, gettext_lazy("is not a value tier"), code="tier_unknown")
        parties = parties.filter(metrics__tier=tier)
    if lost := values.get("lost"):
        start, end = parse_months("lost", lost)
        parties = parties.filter(Exists(lost_in(start, end).filter(party=OuterRef("pk"))))
    return filter_by_scores(parties, values)


def _score(values: Mapping[str, str], name: str) -> int | None:
    text = values.get(name, "")
    if not text:
        return None
    if text not in {"1", "2", "3", "4", "5"}:
        raise invalid(
            name, text[:50], gettext_lazy("is not a score from 1 to 5"), code="rfm_score_invalid"
        )
    return int(text)


def _amount(text: str) -> Decimal | None:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return amount if amount.is_finite() and abs(amount) < 10**15 else None


def clv_range(text: str) -> tuple[Decimal, Decimal | None]:
    """The bounds of a `clv` value: "100..250" is 100 up to 250 (not included), "50000.." is
    50000 and more; Invalid naming `clv` otherwise."""
    low_text, sep, high_text = text.partition("..")
    low = _amount(low_text)
    high = _amount(high_text) if high_text else None
    if not sep or low is None or (high_text and (high is None or high <= low)):
        raise invalid(
            "clv",
            text[:50],
            gettext_lazy("is not a range of lifetime value such as 100..250 or 5000.."),
            code="clv_range_invalid",
        )
    return low, high


def filter_by_scores(parties: QuerySet[Party], values: Mapping[str, str]) -> QuerySet[Party]:
    """Parties with those RFM scores now, or a lifetime value in a range."""
    for name in ("r_score", "f_score"):
        if (score := _score(values, name)) is not None:
            parties = parties.filter(**{f"metrics__{name}": score})
    if text := values.get("clv"):
        low, high = clv_range(text)
        parties = parties.filter(metrics__clv__gte=low)
        if high is not None:
            parties = parties.filter(metrics__clv__lt=high)
    return parties


def _months(text: str) -> str:
    first, _sep, last = text.partition("..")
    return f"{first}\u2013{last}" if last else first


def describe_orders(values: Mapping[str, str]) -> list[str]:
    """The order filters in words, in the reader's language."""
    said = []
    if "ordered" in values:
        said.append(_("ordered in %(months)s") % {"months": _months(values["ordered"])})
    if "first_ordered" in values:
        said.append(_("first order in %(months)s") % {"months": _months(values["first_ordered"])})
    if "order_currency" in values:
        said.append(_("orders in %(currency)s") % {"currency": values["order_currency"].upper()})
    return said


def describe_metrics(values: Mapping[str, str]) -> list[str]:
    """The metrics filters in words, in the reader's language."""
    said = []
    if state := values.get("lifecycle"):
        said.append(_("lifecycle state: %(state)s") % {"state": LifecycleState(state).label})
    if tier := values.get("tier"):
        said.append(_("value tier: %(tier)s") % {"tier": tier})
    if lost := values.get("lost"):
        said.append(_("found lost in %(months)s") % {"months": _months(lost)})
    for name, text in (
        ("r_score", _("recency score %(score)s")),
        ("f_score", _("frequency score %(score)s")),
    ):
        if values.get(name, "") in {"1", "2", "3", "4", "5"}:
            said.append(text % {"score": values[name]})
    if clv := values.get("clv"):
        try:
            low, high = clv_range(clv)
        except Invalid:  # said next to the list by the error instead
            return said
        if high is None:
            said.append(_("lifetime value of %(low)s or more") % {"low": low})
        else:
            said.append(
                _("lifetime value from %(low)s to under %(high)s") % {"low": low, "high": high}
            )
    return said


ORDERS_FILTER = PartyFilter("analytics.orders", ORDER_PARAMS, filter_by_orders, describe_orders)
METRICS_FILTER = PartyFilter(
    "analytics.metrics", METRICS_PARAMS, filter_by_metrics, describe_metrics
)


def month_text(start: date, end: date) -> str:
    """The URL value of a period: "2026-03" for one month, "2026-01..2026-03" for several."""
    first, last = start.strftime("%Y-%m"), end.strftime("%Y-%m")
    return first if first == last else f"{first}..{last}"
