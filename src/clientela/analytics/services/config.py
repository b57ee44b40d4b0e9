"""The analytics settings, read once per refresh and checked: thresholds, horizon, tiers.

Every figure can be changed in the environment (see docs/analytics.md); a bad value is refused
with an error naming the setting and the value.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Max, Sum
from django.utils.translation import gettext_lazy as _

from clientela.accounts.services import company_settings
from clientela.core.errors import Text, render


class SettingError(ImproperlyConfigured):
    """A setting the analytics cannot use: a stable code, its parameters and a message.

    Still ImproperlyConfigured (what Django raises for a bad setting), so whatever catches that
    catches this; its text is rendered in the active language when it is shown.
    """

    def __init__(self, code: str, message: Text, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return render(self.message, self.params)


@dataclass(frozen=True)
class LifecycleRules:
    """Thresholds of the lifecycle states; gaps are multiples of the customer's own rhythm."""

    new_days: int = 90  # "new": one purchase occasion, made within this many days
    at_risk_gaps: float = 1.5  # silent for longer than 1.5 usual gaps ...
    at_risk_p_alive: float = 0.6  # ... or P(alive) below this
    inactive_gaps: float = 3.0
    inactive_p_alive: float = 0.3
    lost_gaps: float = 6.0
    lost_p_alive: float = 0.1
    lost_days: int = 730  # silent this long is lost whatever the rhythm
    reactivated_days: int = 90  # how long a reactivated customer keeps that state when active
    default_gap_days: float = 90.0  # the rhythm when neither the customer nor the model has one


@dataclass(frozen=True)
class Tier:
    """A value tier: customers whose CLV is at or above this quantile (0-1) of all CLVs."""

    name: str
    quantile: float


@dataclass(frozen=True)
class AnalyticsConfig:
    """Everything a refresh needs to know besides the orders."""

    currency: str  # the reporting currency; see reporting_currency() for why this one
    horizon_days: int
    discount_rate: float  # per year
    lifecycle: LifecycleRules
    tiers: tuple[Tier, ...]  # highest quantile first; the last one starts at 0
    currency_source: str = "set"  # analytics.models.CurrencySource


# How many of the newest orders choose the reporting currency when none is set.
VALUE_SAMPLE = 200_000


@dataclass(frozen=True)
class ReportingCurrency:
    """The currency analytics reports in, and why: "set", "most_order_value" or "no_orders"."""

    code: str
    source: str


def reporting_currency() -> ReportingCurrency:
    """The reporting currency: the company's choice, or else the currency that holds most of
    the order value (each currency's completed orders summed and compared at its latest rate
    against the rates' base, face value when it has none; over the last VALUE_SAMPLE orders
    when there are more), or EUR before any order.

    The one place it is read: the company setting (accounts.services.company_settings), which
    falls back to CLIENTELA_CURRENCY when that is set.
    """
    chosen = company_settings().reporting_currency
    if chosen:
        return ReportingCurrency(chosen, "set")
    from clientela.commerce.models import ExchangeRate, Order, OrderStatus
    from clientela.commerce.queries import rate_bases

    # The last VALUE_SAMPLE orders by id (all of them, for most companies): an index range,
    # where summing every order by currency would sort them all at each refresh.
    newest = Order.objects.aggregate(top=Max("id"))["top"] or 0
    sums = (
        Order.objects.filter(status=OrderStatus.COMPLETED, id__gt=newest - VALUE_SAMPLE)
        .values_list("currency")
        .annotate(value=Sum("total"))
        .order_by()
    )
    values = {code: float(value or 0) for code, value in sums}
    if not values:
        return ReportingCurrency(settings.CLIENTELA_CURRENCY or "EUR", "no_orders")
    bases = rate_bases()
    in_base = dict(values)
    for code in values:
        if bases and code != bases[0]:
            rate = (
                ExchangeRate.objects.filter(base=bases[0], currency=code)
                .order_by("-day")
                .values_list("rate", flat=True)
                .first()
            )
            if rate:
                in_base[code] = values[code] / float(rate)
    best = max(sorted(in_base), key=lambda code: in_base[code])
    return ReportingCurrency(best, "most_order_value")


DEFAULT_TIERS = "platinum:0.99,gold:0.95,silver:0.80,bronze:0"


def _float(name: str, raw: object) -> float:
    try:
        return float(str(raw))
    except ValueError as exc:
        raise SettingError(
            "setting_not_a_number", _("%(setting)s: %(value)r is not a number"),
            setting=name, value=raw,
        ) from exc  # fmt: skip


def parse_lifecycle(raw: str) -> LifecycleRules:
    """Overrides such as "new_days=60,at_risk_gaps=2" on top of the defaults."""
    known = {f.name: f.type for f in fields(LifecycleRules)}
    changes: dict[str, Any] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in known:
            raise SettingError(
                "lifecycle_setting_unknown",
                _("CLIENTELA_LIFECYCLE: %(part)r is not one of %(names)s as name=value"),
                part=part,
                names=", ".join(known),
            )
        setting = "CLIENTELA_LIFECYCLE." + key
        number = _float(setting, value.strip())
        if number < 0 or (key.endswith("p_alive") and number > 1):
            raise SettingError(
                "setting_out_of_range", _("%(setting)s: %(value)r is out of range"),
                setting=setting, value=value,
            )  # fmt: skip
        changes[key] = int(number) if known[key] == "int" else number
    rules = replace(LifecycleRules(), **changes)
    if not rules.at_risk_gaps <= rules.inactive_gaps <= rules.lost_gaps:
        raise SettingError(
            "lifecycle_gaps_unordered",
            _("CLIENTELA_LIFECYCLE: need at_risk_gaps <= inactive_gaps <= lost_gaps"),
        )
    if not rules.at_risk_p_alive >= rules.inactive_p_alive >= rules.lost_p_alive:
        raise SettingError(
            "lifecycle_p_alive_unordered",
            _("CLIENTELA_LIFECYCLE: need at_risk_p_alive >= inactive_p_alive >= lost_p_alive"),
        )
    return rules


def parse_tiers(raw: str) -> tuple[Tier, ...]:
    """Tiers such as "platinum:0.99,gold:0.95,silver:0.8,bronze:0", best first."""
    tiers = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, sep, value = part.partition(":")
        quantile = _float("CLIENTELA_VALUE_TIERS." + name, value) if sep else -1.0
        if not name.strip() or len(name.strip()) > 30 or not 0 <= quantile < 1:
            raise SettingError(
                "tier_setting_invalid",
                _("CLIENTELA_VALUE_TIERS: %(part)r must be name:quantile with 0 <= quantile < 1"),
                part=part,
            )
        tiers.append(Tier(name.strip(), quantile))
    quantiles = [t.quantile for t in tiers]
    if not tiers or quantiles != sorted(quantiles, reverse=True) or quantiles[-1] != 0:
        raise SettingError(
            "tiers_unordered",
            _(
                "CLIENTELA_VALUE_TIERS: %(value)r must list tiers best first, the last at "
                "quantile 0"
            ),
            value=raw,
        )
    return tuple(tiers)


def analytics_config(*, horizon_days: int | None = None) -> AnalyticsConfig:
    """The configuration from settings, optionally with another CLV horizon."""
    horizon = horizon_days if horizon_days is not None else settings.CLIENTELA_CLV_HORIZON_DAYS
    if int(horizon) < 1:
        raise SettingError(
            "horizon_setting_too_small",
            _("CLIENTELA_CLV_HORIZON_DAYS: %(value)r must be at least 1"),
            value=horizon,
        )
    rate = _float("CLIENTELA_CLV_DISCOUNT_RATE", settings.CLIENTELA_CLV_DISCOUNT_RATE)
    if not 0 <= rate < 10:
        raise SettingError(
            "discount_rate_setting_out_of_range",
            _("CLIENTELA_CLV_DISCOUNT_RATE: %(value)r must be in [0, 10)"),
            value=rate,
        )
    return AnalyticsConfig(
        currency=settings.CLIENTELA_CURRENCY,
        horizon_days=int(horizon),
        discount_rate=rate,
        lifecycle=parse_lifecycle(getattr(settings, "CLIENTELA_LIFECYCLE", "")),
        tiers=parse_tiers(getattr(settings, "CLIENTELA_VALUE_TIERS", DEFAULT_TIERS)),
    )
