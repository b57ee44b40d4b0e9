"""REST routes for orders: create one, send many as NDJSON, list them."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from clientela.commerce.models import Order, OrderStatus
from clientela.commerce.schemas import BulkResult, OrderCreate, OrderOut
from clientela.commerce.services import list_orders, parse_ndjson, record_order, record_orders_bulk
from clientela.core.errors import invalid
from clientela.core.ids import Id
from clientela.core.openapi import problems
from clientela.core.pagination import newest_first_page
from clientela.core.requests import current_user
from clientela.parties.queries import get_visible_party

router = Router(tags=["orders"])
MAX_BULK_BYTES = 50 * 1024 * 1024


class OrderFilters(Schema):
    party_id: Id | None = None
    status: OrderStatus | None = None
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=200)


class OrderPage(Schema):
    items: list[OrderOut]
    next_cursor: str | None


@router.post(
    "",
    response={200: OrderOut, 201: OrderOut},
    summary="Record an order (idempotent)",
    openapi_extra=problems(403, 404, 409),
)
def create(request: HttpRequest, payload: OrderCreate) -> Status[Order]:
    """201 when recorded now; 200 when the same order was already recorded (nothing changes);
    409 when its external_id is already used by an order with different content (an order is
    replaced only through orders/bulk with `upsert=true`)."""
    with transaction.atomic():
        order, created = record_order(payload, by=current_user(request))
    return Status(201 if created else 200, Order.objects.prefetch_related("lines").get(pk=order.pk))


@router.post(
    "/bulk",
    response=BulkResult,
    summary="Record orders from NDJSON (idempotent)",
    openapi_extra=problems(
        403,
        413,
        # Each line an OrderCreate: declared as an array, OpenAPI 3.1 having no JSON-lines type.
        requestBody={
            "content": {
                "application/x-ndjson": {
                    "schema": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/OrderCreate"},
                    }
                }
            },
        },
    ),
)
def bulk(request: HttpRequest, skip_invalid: bool = False, upsert: bool = False) -> BulkResult:
    """One order per line. All-or-nothing unless `skip_invalid=true`; then the valid lines are
    written and each rejected line is reported with its number and reason.

    An external id already used by an order with other content is a rejected line
    (`order_external_id_conflict`), unless `upsert=true`: then the stored order (of a party you
    can see) takes the line's content and is counted as updated; its lines are replaced only
    when the line gives "lines". A refund arriving later is sent this way.
    """
    user = current_user(request)
    # Read the stream, not request.body, so that files above Django's in-memory limit work.
    raw = request.read(MAX_BULK_BYTES + 1)
    if len(raw) > MAX_BULK_BYTES:
        raise invalid(
            "body",
            None,
            _("is larger than %(limit)s bytes"),
            code="body_too_large",
            limit=MAX_BULK_BYTES,
        )
    lines = raw.split(b"\n")
    with transaction.atomic():
        return record_orders_bulk(
            parse_ndjson(lines), by=user, skip_invalid=skip_invalid, upsert=upsert
        )


@router.get(
    "", response=OrderPage, summary="List orders, newest first", openapi_extra=problems(404)
)
def list_all(request: HttpRequest, filters: Query[OrderFilters]) -> dict[str, object]:
    user = current_user(request)
    if filters.party_id is not None:
        get_visible_party(user, filters.party_id)
    rows = list_orders(user, party_id=filters.party_id, status=filters.status or "")
    return newest_first_page(rows, at="ordered_at", cursor=filters.cursor, limit=filters.limit)
