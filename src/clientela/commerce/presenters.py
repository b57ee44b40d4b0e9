"""Orders as pages show them: the customer page's "Orders" section and header tile, an
order's page, the timeline's labels; the exchange rates page's rows and messages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clientela.commerce.models import ExchangeRate, Order, OrderStatus, SalesChannel
from clientela.commerce.queries import exchange_rates, order_total_in
from clientela.commerce.services import list_orders, purchase_summary
from clientela.commerce.services.rates import CREATED, UPDATED, RatesImported
from clientela.core.ids import id_from_text
from clientela.core.money import CENT
from clientela.core.registries import TimelineLabels
from clientela.core.requests import current_user
from clientela.parties.models import Party

# How the timeline names an order, its sales channel and its status.
ORDER_LABELS = TimelineLabels(
    kind=_("Order"), channels=dict(SalesChannel.choices), statuses=dict(OrderStatus.choices)
)


# The customer page's "Orders" section lists this many orders a page, newest first, up to
# the 400th page (10,000 orders; the API lists them all).
ORDERS_SHOWN = 25
MAX_ORDERS_PAGE = 400


def purchases_panel(request: HttpRequest, party: Party) -> dict[str, Any]:
    """Number, total and dates of the party's completed orders, and its newest orders (each
    leading to its page)."""
    page = min(id_from_text(request.GET.get("orders_page")) or 1, MAX_ORDERS_PAGE)
    start = (page - 1) * ORDERS_SHOWN
    orders = list(
        list_orders(current_user(request), party_id=party.pk)
        .prefetch_related(None)
        .annotate(line_count=Count("lines"))[start : start + ORDERS_SHOWN + 1]
    )
    return {
        "summary": purchase_summary(party),
        "orders": [order_row(o) for o in orders[:ORDERS_SHOWN]],
        "newer_page": page - 1 if page > 1 else None,
        "older_page": page + 1 if len(orders) > ORDERS_SHOWN and page < MAX_ORDERS_PAGE else None,
    }


def purchases_tile(request: HttpRequest, party: Party) -> dict[str, Any]:
    """The customer page header's tile: completed orders and their total per currency."""
    return {"summary": purchase_summary(party)}


def order_row(order: Order) -> dict[str, Any]:
    """An order as a list shows it, with its status and channel named."""
    return {
        "order": order,
        "status_label": OrderStatus(order.status).label if order.status in OrderStatus else "",
        "channel_label": dict(SalesChannel.choices).get(order.channel, order.channel),
    }


def order_page(order: Order, reporting_currency: str) -> dict[str, Any]:
    """The context of an order's page: its lines with their totals, and its total in the
    reporting currency when it is in another one (None when no rate covers its day)."""
    lines = [
        {
            "line": line,
            "total": (line.quantity * line.unit_price).quantize(CENT),
            "places": _places(line.quantity),
        }
        for line in order.lines.all()
    ]
    converted = (
        order_total_in(order, reporting_currency)
        if reporting_currency and reporting_currency != order.currency
        else None
    )
    return {
        **order_row(order),
        "party": order.party,
        "lines": lines,
        "reporting_currency": reporting_currency,
        "converted_total": converted,
        "shows_conversion": bool(reporting_currency) and reporting_currency != order.currency,
    }


def _places(quantity: Decimal) -> int:
    """The decimals a quantity needs: 1 for 1.5, none for 3."""
    exponent = quantity.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


# --- exchange rates ------------------------------------------------------------------------

RATES_SHOWN = 200


def rate_text(rate: Decimal) -> str:
    """A rate as published: 1.0823, 161.2, 150 (no trailing zeros, no exponent)."""
    return format(rate.normalize(), "f")


def rate_rows(*, currency: str = "") -> list[dict[str, Any]]:
    """The most recent rates the page lists (of one currency if given)."""
    return [
        {
            "day": r.day,
            "base": r.base,
            "rate": rate_text(r.rate),
            "currency": r.currency,
            "source": r.source,
            "recorded_by": r.recorded_by,
            "recorded_at": r.recorded_at,
        }
        for r in exchange_rates(currency=currency or None)[:RATES_SHOWN]
    ]


def outcome_message(rate: ExchangeRate, outcome: str) -> str:
    """What entering a rate did, in the reader's language."""
    params = {"day": rate.day.isoformat(), "base": rate.base, "rate": rate_text(rate.rate),
              "currency": rate.currency}  # fmt: skip
    if outcome == CREATED:
        return gettext("Recorded: on %(day)s, 1 %(base)s = %(rate)s %(currency)s.") % params
    if outcome == UPDATED:
        return gettext("Updated: on %(day)s, 1 %(base)s = %(rate)s %(currency)s.") % params
    return gettext("Unchanged: on %(day)s, 1 %(base)s was already %(rate)s %(currency)s.") % params


def import_message(done: RatesImported) -> str:
    """What an import did, in the reader's language."""
    return gettext(
        "%(rates)s rates read (%(first)s to %(last)s): %(created)s new, %(updated)s updated, "
        "%(unchanged)s unchanged."
    ) % {
        "rates": done.rates,
        "first": done.first_day.isoformat() if done.first_day else "",
        "last": done.last_day.isoformat() if done.last_day else "",
        "created": done.created,
        "updated": done.updated,
        "unchanged": done.unchanged,
    }
