"""REST routes for orders: create one, send many as NDJSON, list them."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from clientela.commerce.models import Order, OrderStatus
from clientela.commerce.schemas import BulkResult, OrderCreate, OrderOut
from clientela.commerce.services import list_orders, parse_ndjson, record_order, record_orders_bulk
from clientela.core.errors import invalid
from clientela.core.pagination import id_page

router = Router(tags=["orders"])
MAX_BULK_BYTES = 50 * 1024 * 1024


class OrderFilters(Schema):
    party_id: int | None = None
    status: OrderStatus | None = None
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=200)


class OrderPage(Schema):
    items: list[OrderOut]
    next_cursor: str | None


@router.post("", response={200: OrderOut, 201: OrderOut}, summary="Record an order (idempotent)")
def create(request: HttpRequest, payload: OrderCreate) -> tuple[int, Order]:
    with transaction.atomic():
        order, created = record_order(payload, by=request.user)  # type: ignore[arg-type]
    return (201 if created else 200), Order.objects.prefetch_related("lines").get(pk=order.pk)


@router.post(
    "/bulk",
    response=BulkResult,
    summary="Record orders from NDJSON (idempotent)",
    openapi_extra={
        "requestBody": {"content": {"application/x-ndjson": {"schema": {"type": "string"}}}}
    },
)
def bulk(request: HttpRequest, skip_invalid: bool = False) -> BulkResult:
    """One order per line. All-or-nothing unless `skip_invalid=true`."""
    if len(request.body) > MAX_BULK_BYTES:
        raise invalid(
            "body", f"{len(request.body)} bytes", f"is larger than {MAX_BULK_BYTES} bytes"
        )
    try:
        lines = request.body.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise invalid("body", f"byte {exc.start}", "is not UTF-8") from exc
    with transaction.atomic():
        return record_orders_bulk(parse_ndjson(lines), by=request.user, skip_invalid=skip_invalid)  # type: ignore[arg-type]


@router.get("", response=OrderPage, summary="List orders, newest first")
def list_all(request: HttpRequest, filters: Query[OrderFilters]) -> dict[str, object]:
    rows = list_orders(request.user, party_id=filters.party_id, status=filters.status or "")  # type: ignore[arg-type]
    return id_page(rows, cursor=filters.cursor, limit=filters.limit, descending=True)
