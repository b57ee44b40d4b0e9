"""REST routes for orders: create one, send many as NDJSON, list them."""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from clientela.commerce.models import Order, OrderStatus
from clientela.commerce.schemas import BulkResult, OrderCreate, OrderOut
from clientela.commerce.services import list_orders, parse_ndjson, record_order, record_orders_bulk
from clientela.core.database import not_repeatable
from clientela.core.errors import TooLarge
from clientela.core.ids import Id
from clientela.core.openapi import problems
from clientela.core.pagination import newest_first_page
from clientela.core.requests import current_user
from clientela.parties.queries import get_visible_party

router = Router(tags=["orders"])


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
    """One order per line, at most 10 MB and 100,000 lines per request (413 beyond,
    `body_too_large` / `too_many_lines`; send more as several requests). All-or-nothing unless
    `skip_invalid=true`; then the valid lines are written and each rejected line is reported
    with its number and reason.

    An external id already used by an order with other content is a rejected line
    (`order_external_id_conflict`), unless `upsert=true`: then the stored order (of a party you
    can see) takes the line's content and is counted as updated; its lines are replaced only
    when the line gives "lines". A refund arriving later is sent this way.
    """
    user = current_user(request)
    not_repeatable(request)  # its body is read as a stream: a deadlock answers 503, not a retry
    return record_orders_bulk(
        parse_ndjson(body_lines(request)), by=user, skip_invalid=skip_invalid, upsert=upsert
    )


def body_lines(request: HttpRequest) -> Iterator[bytes]:
    """The request body's lines, read as they are checked (not the whole body at once); more
    than the limits allow is refused with 413, before anything is written."""
    max_bytes, max_lines = settings.CLIENTELA_BULK_MAX_BYTES, settings.CLIENTELA_BULK_MAX_LINES
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes, max_lines)
    read = lines = 0
    while line := request.readline(max_bytes - read + 1):
        read += len(line)
        if read > max_bytes:
            raise _too_large(max_bytes, max_lines)
        lines += 1
        if lines > max_lines:
            raise TooLarge(
                _("has more than %(lines)s lines; send at most %(lines)s lines per request"),
                code="too_many_lines",
                params={"lines": max_lines},
            )
        yield line


def _too_large(max_bytes: int, max_lines: int) -> TooLarge:
    return TooLarge(
        _("is larger than %(limit)s bytes; send at most %(limit)s bytes per request"),
        code="body_too_large",
        params={"limit": max_bytes, "lines": max_lines},
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
