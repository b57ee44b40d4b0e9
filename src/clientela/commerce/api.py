"""REST routes for orders (create one, send many as NDJSON, list them) and exchange rates."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from pydantic import Field, field_validator

from clientela.commerce.models import ExchangeRate, Order, OrderStatus
from clientela.commerce.presenters import rate_text
from clientela.commerce.queries import exchange_rates, get_visible_order
from clientela.commerce.schemas import (
    BulkResult,
    ExchangeRateIn,
    ExchangeRateOut,
    OrderCreate,
    OrderOut,
    RatesImportedOut,
)
from clientela.commerce.services import list_orders, parse_ndjson, record_order, record_orders_bulk
from clientela.commerce.services.rates import (
    CREATED,
    RatesImported,
    import_rates,
    require_rates_write,
    set_rate,
)
from clientela.core.database import not_repeatable
from clientela.core.errors import Problem, TooLarge, invalid
from clientela.core.ids import Id
from clientela.core.openapi import problems
from clientela.core.pagination import id_page, newest_first_page
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


@router.get(
    "/{order_id}",
    response=OrderOut,
    summary="Read one order with its lines",
    openapi_extra=problems(404),
)
def read(request: HttpRequest, order_id: Id) -> Order:
    """404 (`order_not_found`) when there is no such order or its party is not yours to see."""
    return get_visible_order(current_user(request), order_id)


# --- exchange rates ----------------------------------------------------------------------

rates_router = Router(tags=["exchange rates"])
RateFormat = Literal["ecb", "long"]
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


class RateFilters(Schema):
    currency: str | None = Field(default=None, max_length=3)
    base: str | None = Field(default=None, max_length=3)
    since: date | None = None
    until: date | None = None
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=500)

    @field_validator("since", "until", mode="before")
    @classmethod
    def _written_out(cls, value: object) -> object:
        """A day as YYYY-MM-DD: Pydantic alone would also read "0" as 1970-01-01."""
        if isinstance(value, str) and not ISO_DAY.match(value):
            raise Problem("date_parsing", _("must be a date as YYYY-MM-DD"))
        return value


class RatePage(Schema):
    items: list[ExchangeRateOut]
    next_cursor: str | None


def rate_out(rate: ExchangeRate, outcome: str | None = None) -> dict[str, object]:
    return {
        "id": rate.pk,
        "day": rate.day,
        "currency": rate.currency,
        "base": rate.base,
        "rate": Decimal(rate_text(rate.rate)),  # as published: 1.0581, not 1.0581000000
        "source": rate.source,
        "recorded_by": str(rate.recorded_by) if rate.recorded_by else None,
        "recorded_at": rate.recorded_at,
        "outcome": outcome,
    }


@rates_router.get("", response=RatePage, summary="List exchange rates, last recorded first")
def list_rates(request: HttpRequest, filters: Query[RateFilters]) -> dict[str, object]:
    """Everyone signed in reads the rates; filter by currency, base and days (inclusive)."""
    rows = exchange_rates(
        currency=(filters.currency or "").upper() or None,
        base=(filters.base or "").upper() or None,
        since=filters.since,
        until=filters.until,
    )
    page = id_page(rows, cursor=filters.cursor, limit=filters.limit, descending=True)
    return {"items": [rate_out(r) for r in page["items"]], "next_cursor": page["next_cursor"]}


@rates_router.post(
    "",
    response={200: ExchangeRateOut, 201: ExchangeRateOut},
    summary="Record one exchange rate (idempotent)",
    openapi_extra=problems(403),
)
def create_rate(request: HttpRequest, payload: ExchangeRateIn) -> Status[dict[str, object]]:
    """201 when new; 200 when the day already had a rate for this currency and base: `outcome`
    says `unchanged` (the same rate) or `updated` (replaced). Admins and managers only."""
    with transaction.atomic():
        rate, outcome = set_rate(
            payload.day, payload.currency, payload.rate, base=payload.base, source="api",
            by=current_user(request),
        )  # fmt: skip
    return Status(201 if outcome == CREATED else 200, rate_out(rate, outcome))


@rates_router.post(
    "/import",
    response=RatesImportedOut,
    summary="Import exchange rates from a CSV body (all or nothing, idempotent)",
    openapi_extra=problems(
        403,
        413,
        requestBody={"content": {"text/csv": {"schema": {"type": "string"}}}},
    ),
)
def import_rates_file(request: HttpRequest, format: RateFormat | None = None) -> RatesImported:
    """The body is the file: the ECB's `eurofxref-hist.csv` or `eurofxref.csv` (`format=ecb`)
    or `date,currency,rate[,base]` (`format=long`); detected from its header when not given.
    Every rate or none: a bad cell is a 422 naming its line, field and value. At most
    CLIENTELA_BULK_MAX_BYTES bytes (413 beyond). Admins and managers only."""
    user = current_user(request)
    require_rates_write(user)
    text = csv_body(request)
    with transaction.atomic():
        return import_rates(io.StringIO(text, newline=""), fmt=format, source="api import", by=user)


def csv_body(request: HttpRequest) -> str:
    """The request body as text (UTF-8, a byte-order mark allowed), within the size limit."""
    limit = settings.CLIENTELA_BULK_MAX_BYTES
    declared = request.META.get("CONTENT_LENGTH") or "0"
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit, settings.CLIENTELA_BULK_MAX_LINES)
    body = request.read(limit + 1)
    if len(body) > limit:
        raise _too_large(limit, settings.CLIENTELA_BULK_MAX_LINES)
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise invalid(
            "body", body[exc.start : exc.start + 8].hex(), _("is not UTF-8 text"),
            code="rates_file_not_utf8", offset=exc.start,
        ) from None  # fmt: skip
