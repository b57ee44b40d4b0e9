"""Orders as pages show them: the customer page's purchases panel and the timeline's labels."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from clientela.commerce.models import OrderStatus, SalesChannel
from clientela.commerce.services import purchase_summary
from clientela.core.registries import TimelineLabels
from clientela.parties.models import Party

# How the timeline names an order, its sales channel and its status.
ORDER_LABELS = TimelineLabels(
    kind=_("Order"), channels=dict(SalesChannel.choices), statuses=dict(OrderStatus.choices)
)


def purchases_panel(request: HttpRequest, party: Party) -> dict[str, Any]:
    """Number, total and dates of the party's completed orders."""
    return {"summary": purchase_summary(party)}
