"""The variables a template may use, and the plain dicts they are read from for one party.

Every variable is declared here (VARIABLES); saving a template refuses any other. The values
are built from the party through the other apps' models (read only), already written in the
message's language and the customer's time zone: money as "1.234,50 €", dates in words.
A value that is missing is nil, so `{{ party.first_name | default: "friend" }}` falls back,
and formatting is never the fallback's business. The engine never sees an ORM object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clientela.accounts.services import company_settings
from clientela.analytics.models import CustomerMetrics, LifecycleState, RfmSegment
from clientela.commerce.models import Order
from clientela.core.money import format_money
from clientela.core.templatetags.clientela_formats import day, key_date, number, percent
from clientela.parties.models import ContactKind, ContactPoint, CustomField, KeyDate, Party


@dataclass(frozen=True)
class Variable:
    """One variable a template may use: its dotted path, what it holds, and an example."""

    path: str
    label: Promise | str
    example: str = ""
    is_list: bool = False


VARIABLES: tuple[Variable, ...] = (
    Variable("party.name", _("the customer's name as shown"), "Maria Silva"),
    Variable("party.first_name", _("given name"), "Maria"),
    Variable("party.last_name", _("family name"), "Silva"),
    Variable("party.organization", _("organization name"), "Silva & Filhos"),
    Variable("party.email", _("primary e-mail"), "maria@example.org"),
    Variable("party.phone", _("primary phone"), "+351 912 345 678"),
    Variable("party.city", _("city of the primary postal address"), "Porto"),
    Variable("party.country", _("country of the primary postal address"), "PT"),
    Variable("party.custom", _("custom fields, by key: party.custom.KEY")),
    Variable("dates.birthday", _("birthday (day and month, with the year when known)")),
    Variable("dates.wedding_anniversary", _("wedding anniversary")),
    Variable("dates.customer_since", _("customer since")),
    Variable("owner.name", _("the customer's owner (a staff user)"), "Ana Costa"),
    Variable("owner.email", _("the owner's e-mail"), "ana@company.example"),
    Variable("metrics.rfm_segment", _("RFM segment"), "Champions"),
    Variable("metrics.lifecycle", _("lifecycle state"), "Active"),
    Variable("metrics.tier", _("value tier"), "Gold"),
    Variable("metrics.clv", _("customer lifetime value"), "€1,234.50"),
    Variable("metrics.total_spent", _("total spent"), "€3,210.00"),
    Variable("metrics.orders", _("number of purchase occasions"), "12"),
    Variable("metrics.last_purchase", _("day of the last purchase")),
    Variable("metrics.p_alive", _("probability the customer is still active"), "87%"),
    Variable("last_order.number", _("the last order's number"), "A-1042"),
    Variable("last_order.date", _("the last order's day")),
    Variable("last_order.total", _("the last order's total"), "€120.00"),
    Variable("last_order.lines", _("the last order's lines (a list)"), is_list=True),
    Variable("last_order.lines.product", _("a line's product")),
    Variable("last_order.lines.sku", _("a line's SKU")),
    Variable("last_order.lines.quantity", _("a line's quantity")),
    Variable("last_order.lines.unit_price", _("a line's unit price")),
    Variable("last_order.lines.total", _("a line's total")),
    Variable("company.name", _("the company's name")),
    Variable("company.postal_address", _("the company's postal address, on one line")),
    Variable("links.preferences", _("the customer's preference centre (a signed link)")),
    Variable("links.unsubscribe", _("one-click unsubscribe from this purpose (a signed link)")),
    Variable("today", _("today's date in the customer's time zone")),
)
PATHS = frozenset(v.path for v in VARIABLES)
LIST_PATHS = frozenset(v.path for v in VARIABLES if v.is_list)
ROOTS = frozenset(v.path.split(".")[0] for v in VARIABLES)
MAX_LINES = 50


@dataclass(frozen=True)
class Links:
    """How the links in a message are made: real signed links, or inert ones for a preview."""

    preferences: Callable[[], str]
    unsubscribe: Callable[[], str]


def custom_field_keys() -> frozenset[str]:
    return frozenset(CustomField.objects.values_list("key", flat=True))


def party_values(
    party: Party, *, language: str, zone: ZoneInfo, links: Links, at: datetime | None = None
) -> dict[str, Any]:
    """Every declared variable's value for this party, as plain dicts, lists and strings."""
    with translation.override(language), timezone.override(zone):
        company = company_settings()
        today = (at or timezone.now()).astimezone(zone).date()
        return {
            "party": _party(party),
            "dates": _dates(party),
            "owner": _owner(party),
            "metrics": _metrics(party, language),
            "last_order": _last_order(party, language),
            "company": {
                "name": company.name or None,
                "postal_address": ", ".join(company.postal_lines) or None,
            },
            "links": _LazyLinks(links),
            "today": day(today),
        }


class _LazyLinks(dict[str, Any]):
    """The links, made only when the template reads them (each one stores a token)."""

    def __init__(self, links: Links) -> None:
        super().__init__()
        self._makers = {"preferences": links.preferences, "unsubscribe": links.unsubscribe}

    def __getitem__(self, key: str) -> Any:
        if not dict.__contains__(self, key) and key in self._makers:
            self[key] = self._makers[key]()
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key) or key in self._makers


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _party(party: Party) -> dict[str, Any]:
    points = list(
        ContactPoint.objects.filter(party=party)
        .order_by("-is_primary", "pk")
        .values_list("kind", "value", "locality", "country")
    )
    first = {kind: (value, city, country) for kind, value, city, country in reversed(points)}
    address = first.get(ContactKind.ADDRESS, ("", "", ""))
    return {
        "name": party.display_name or None,
        "first_name": _text(party.given_name),
        "last_name": _text(party.family_name),
        "organization": _text(party.organization_name),
        "email": _text(first.get(ContactKind.EMAIL, ("",))[0]),
        "phone": _text(first.get(ContactKind.PHONE, ("",))[0]),
        "city": _text(address[1]),
        "country": _text(address[2]),
        "custom": {str(k): _custom(v) for k, v in (party.custom or {}).items()},
    }


def _custom(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return number(value, 0 if float(value).is_integer() else 2)
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-":
        try:
            return day(date.fromisoformat(value))
        except ValueError:
            return value
    return _text(value)


def _dates(party: Party) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for kind, year, month, day_of in KeyDate.objects.filter(party=party).values_list(
        "kind", "year", "month", "day"
    ):
        found.setdefault(kind, key_date(_Day(year, month, day_of)) or None)
    return {k: found.get(k) for k in ("birthday", "wedding_anniversary", "customer_since")}


@dataclass(frozen=True)
class _Day:
    year: int | None
    month: int
    day: int


def _owner(party: Party) -> dict[str, Any]:
    owner = party.owner
    if owner is None:
        return {"name": None, "email": None}
    return {"name": _text(owner.full_name or owner.email), "email": _text(owner.email)}


def _metrics(party: Party, language: str) -> dict[str, Any]:
    row = CustomerMetrics.objects.filter(party=party).first()
    if row is None:
        return dict.fromkeys(("rfm_segment", "lifecycle", "tier", "clv", "total_spent",
                              "orders", "last_purchase", "p_alive"))  # fmt: skip
    rfm = RfmSegment(row.rfm_segment).label if row.rfm_segment in RfmSegment.values else None
    state = row.lifecycle_state
    return {
        "rfm_segment": _text(rfm),
        "lifecycle": _text(LifecycleState(state).label if state in LifecycleState.values else ""),
        "tier": _text(row.tier),
        "clv": _money(row.clv, row.currency, language),
        "total_spent": _money(row.monetary, row.currency, language),
        "orders": number(row.occasions),
        "last_purchase": day(row.last_purchase_at) or None,
        "p_alive": percent(row.p_alive) or None,
    }


def _money(amount: Decimal | None, currency: str, language: str) -> str | None:
    if amount is None or not currency:
        return None
    return format_money(amount, currency, language=language)


def _last_order(party: Party, language: str) -> dict[str, Any]:
    order = Order.objects.filter(party=party).order_by("-ordered_at", "-pk").first()
    if order is None:
        return {"number": None, "date": None, "total": None, "lines": []}
    lines = [
        {
            "product": _text(line.product),
            "sku": _text(line.sku),
            "quantity": _quantity(line.quantity),
            "unit_price": _money(line.unit_price, order.currency, language),
            "total": _money(line.unit_price * line.quantity, order.currency, language),
        }
        for line in order.lines.all()[:MAX_LINES]
    ]
    return {
        "number": order.external_id,
        "date": day(order.ordered_at),
        "total": _money(order.total, order.currency, language),
        "lines": lines,
    }


def _quantity(value: Decimal) -> str:
    """2 for 2.000, 1,5 for 1.500: the places the quantity has, in the reader's way."""
    exponent = value.normalize().as_tuple().exponent
    return number(value, -exponent if isinstance(exponent, int) and exponent < 0 else 0)


def sample_values(language: str) -> dict[str, Any]:
    """Example values for every variable, for checking a template without a party."""
    with translation.override(language):
        values: dict[str, Any] = {}
        for var in VARIABLES:
            root, *rest = var.path.split(".")
            if var.is_list or (len(rest) > 1):
                continue
            if not rest:
                values[root] = var.example or day(date(2026, 3, 14))
                continue
            values.setdefault(root, {})[rest[0]] = var.example or str(var.label)
        values["party"]["custom"] = {}
        values["last_order"]["lines"] = [
            {"product": "Espresso", "sku": "ESP-1", "quantity": "2",
             "unit_price": "€3.00", "total": "€6.00"}
        ]  # fmt: skip
        return values
