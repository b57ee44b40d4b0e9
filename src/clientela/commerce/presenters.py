"""Orders as pages show them: the customer page's purchases panel and the timeline's labels;
the exchange rates page's rows and messages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clientela.commerce.models import ExchangeRate, OrderStatus, SalesChannel
from clientela.commerce.queries import exchange_rates
from clientela.commerce.services import purchase_summary
from clientela.commerce.services.rates import CREATED, UPDATED, RatesImported
from clientela.core.registries import TimelineLabels
from clientela.parties.models import Party

# How the timeline names an order, its sales channel and its status.
ORDER_LABELS = TimelineLabels(
    kind=_("Order"), channels=dict(SalesChannel.choices), statuses=dict(OrderStatus.choices)
)


def purchases_panel(request: HttpRequest, party: Party) -> dict[str, Any]:
    """Number, total and dates of the party's completed orders."""
    return {"summary": purchase_summary(party)}


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
