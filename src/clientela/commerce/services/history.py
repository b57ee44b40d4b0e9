"""A party's purchase history as others read it: order lists, a summary, the timeline entries."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Max, Min, QuerySet, Sum

from clientela.accounts.models import User
from clientela.commerce.models import Order, OrderStatus, SalesChannel
from clientela.commerce.schemas import PurchaseSummary
from clientela.core.timeline import Entry, register_source, source_rows
from clientela.parties.models import Party
from clientela.parties.queries import visible_parties

ORDER = "order"


def list_orders(user: User, *, party_id: int | None = None, status: str = "") -> QuerySet[Order]:
    """Orders of the parties this user may see, newest first, with their lines."""
    rows = Order.objects.filter(party__in=visible_parties(user))
    if party_id is not None:
        rows = rows.filter(party_id=party_id)
    if status:
        rows = rows.filter(status=status)
    return rows.prefetch_related("lines").order_by("-ordered_at", "-id")


def purchase_summary(party: Party) -> PurchaseSummary:
    """First and last purchase, number of completed orders and their total per currency."""
    completed = party.orders.filter(status=OrderStatus.COMPLETED)
    agg = completed.aggregate(n=Count("id"), first=Min("ordered_at"), last=Max("ordered_at"))
    totals: dict[str, Decimal] = {
        row["currency"]: row["total"]
        for row in completed.values("currency").annotate(total=Sum("total")).order_by("currency")
    }
    return PurchaseSummary(
        orders=agg["n"], first_purchase_at=agg["first"], last_purchase_at=agg["last"], totals=totals
    )


def _order_entries(
    party: Party, before: tuple[datetime, str, int] | None, limit: int, channels: frozenset[str]
) -> list[Entry]:
    rows = source_rows(
        ORDER,
        lambda party_id: Order.objects.filter(party_id=party_id),
        party=party,
        before=before,
        limit=limit,
        channels=channels,
        at="ordered_at",
        fields=("id", "ordered_at", "currency", "total", "channel", "external_id", "status"),
    )
    labels = dict(SalesChannel.choices)
    return [
        Entry(
            kind=ORDER,
            id=pk,
            at=at,
            title=f"{currency} {total}",
            channel=channel,
            body=str(labels.get(channel, channel)),
            data={
                "external_id": external_id,
                "status": status,
                "total": str(total),
                "currency": currency,
            },
        )
        for pk, at, currency, total, channel, external_id, status in rows
    ]


register_source(ORDER, _order_entries)
