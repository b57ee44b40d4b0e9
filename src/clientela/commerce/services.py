"""Use cases for the purchase history: record orders (one or many), summarise a party's."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db.models import Count, Max, Min, QuerySet, Sum
from pydantic import ValidationError

from clientela.accounts.models import User
from clientela.accounts.services import require_write
from clientela.commerce.models import Order, OrderLine, OrderStatus, SalesChannel
from clientela.commerce.schemas import BulkResult, OrderCreate, PurchaseSummary
from clientela.core.errors import Conflict, FieldError, Invalid, NotFound
from clientela.core.timeline import Entry, register_source, source_rows
from clientela.core.validation import field_errors
from clientela.parties.models import Party
from clientela.parties.queries import MAX_ID, visible_parties

ORDER = "order"
BATCH = 2000


def _resolve_parties(
    user: User, orders: list[OrderCreate]
) -> tuple[dict[int, int], dict[str, int]]:
    visible = visible_parties(user)
    ids = {o.party_id for o in orders if o.party_id is not None and 0 < o.party_id <= MAX_ID}
    refs = {o.party_external_id for o in orders if o.party_external_id is not None}
    by_id = (
        {pk: pk for pk in visible.filter(pk__in=ids).values_list("pk", flat=True)} if ids else {}
    )
    rows = visible.filter(external_id__in=refs).values_list("external_id", "pk") if refs else []
    by_ref = {ref: pk for ref, pk in rows if ref is not None}
    return by_id, by_ref


def _party_of(order: OrderCreate, by_id: dict[int, int], by_ref: dict[str, int]) -> int | None:
    if order.party_id is not None:
        return by_id.get(order.party_id)
    return by_ref.get(order.party_external_id or "")


def _content(order: OrderCreate, party_id: int) -> tuple[Any, ...]:
    lines = tuple(
        (line.sku, line.product, line.category, line.quantity, line.unit_price)
        for line in order.lines
    )
    return (
        party_id,
        order.ordered_at,
        order.total,
        order.currency,
        order.status,
        order.channel,
        lines,
    )


def _stored_content(existing: Order) -> tuple[Any, ...]:
    lines = tuple(
        (line.sku, line.product, line.category, line.quantity, line.unit_price)
        for line in existing.lines.all()
    )
    return (
        existing.party_id,
        existing.ordered_at,
        existing.total,
        existing.currency,
        existing.status,
        existing.channel,
        lines,
    )


def _check_same(existing: Order, order: OrderCreate, party_id: int) -> None:
    """Re-sending an order is fine; re-using its external id for a different order is not.

    Compared: party, time, total, currency, status, channel and lines.
    """
    if _stored_content(existing) != _content(order, party_id):
        raise Conflict(f"external_id {order.external_id} is already used by a different order")


def record_order(order: OrderCreate, *, by: User) -> tuple[Order, bool]:
    """Record one order; sending the same external id again changes nothing.

    Returns the order and whether it was created now.
    """
    require_write(by)
    by_id, by_ref = _resolve_parties(by, [order])
    party_id = _party_of(order, by_id, by_ref)
    if party_id is None:
        name, value = (
            ("party_id", order.party_id)
            if order.party_id is not None
            else ("party_external_id", order.party_external_id)
        )
        # The same answer as for reading the party: whether it exists is not revealed.
        raise NotFound(
            f"party {value} not found",
            errors=[FieldError(name, value, "is not a party you can see")],
        )
    existing = Order.objects.prefetch_related("lines").filter(external_id=order.external_id).first()
    if existing is not None:
        _check_same(existing, order, party_id)
        return existing, False
    created = _insert([(order, party_id)])
    return created[0], True


def _insert(rows: list[tuple[OrderCreate, int]]) -> list[Order]:
    orders = Order.objects.bulk_create(
        Order(
            external_id=o.external_id,
            party_id=party_id,
            ordered_at=o.ordered_at,
            total=o.total,
            currency=o.currency,
            status=o.status,
            channel=o.channel,
        )
        for o, party_id in rows
    )
    OrderLine.objects.bulk_create(
        OrderLine(order=saved, **line.model_dump())
        for saved, (o, _party) in zip(orders, rows, strict=True)
        for line in o.lines
    )
    return orders


def parse_ndjson(lines: Iterable[bytes | str]) -> Iterator[tuple[int, dict[str, Any] | FieldError]]:
    """Each non-blank line as (line number, object) or (line number, the reason it is not one)."""
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                shown = raw[:80].decode("utf-8", errors="replace")
                yield (
                    number,
                    FieldError(
                        "body",
                        shown,
                        f"is not UTF-8 text (bad byte at column {exc.start + 1})",
                        line=number,
                    ),
                )
                continue
        else:
            text = raw
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except ValueError as exc:
            yield number, FieldError("body", text[:80], f"is not JSON: {exc}", line=number)
            continue
        if not isinstance(value, dict):
            yield number, FieldError("body", text[:80], "must be a JSON object", line=number)
            continue
        yield number, value


def record_orders_bulk(
    items: Iterable[tuple[int, dict[str, Any] | FieldError]],
    *,
    by: User,
    skip_invalid: bool = False,
) -> BulkResult:
    """Record many orders, idempotent by external id.

    All-or-nothing unless skip_invalid: then the valid lines are written and every rejected line
    is reported with its number and reason. The adapter owns the transaction.
    """
    require_write(by)
    created = unchanged = 0
    errors: list[FieldError] = []
    seen: dict[str, tuple[Any, ...]] = {}  # external id -> content, for repeats in one file
    iterator = iter(items)
    while batch := list(islice(iterator, BATCH)):
        parsed = _validate_lines(batch, errors)
        by_id, by_ref = _resolve_parties(by, [o for _, o in parsed])
        existing = {
            o.external_id: o
            for o in Order.objects.filter(
                external_id__in=[o.external_id for _, o in parsed]
            ).prefetch_related("lines")
        }
        fresh: list[tuple[OrderCreate, int]] = []
        for number, order in parsed:
            party_id = _party_of(order, by_id, by_ref)
            if party_id is None:
                name = "party_id" if order.party_id is not None else "party_external_id"
                ref = order.party_id if order.party_id is not None else order.party_external_id
                errors.append(FieldError(name, ref, "is not a party you can see", line=number))
                continue
            content = _content(order, party_id)
            old = existing.get(order.external_id)
            earlier = _stored_content(old) if old is not None else seen.get(order.external_id)
            if earlier is None:
                seen[order.external_id] = content
                fresh.append((order, party_id))
            elif earlier == content:
                unchanged += 1
            else:
                message = "is already used by a different order"
                errors.append(FieldError("external_id", order.external_id, message, line=number))
        if errors and not skip_invalid:
            continue  # keep validating so that every problem is reported, but write nothing
        _insert(fresh)
        created += len(fresh)
    errors.sort(key=lambda e: e.line or 0)  # stable: a line's own errors keep their order
    if errors and not skip_invalid:
        lines = sorted({e.line for e in errors if e.line is not None})
        shown = ", ".join(map(str, lines[:20])) + (" …" if len(lines) > 20 else "")
        raise Invalid(
            errors[:1000],
            f"{len(lines)} invalid line(s) ({shown}); nothing was written",
        )
    return BulkResult(
        created=created,
        unchanged=unchanged,
        rejected=len({e.line for e in errors}),
        errors=[e.as_dict() for e in errors[:1000]],
    )


def _validate_lines(
    batch: list[tuple[int, dict[str, Any] | FieldError]], errors: list[FieldError]
) -> list[tuple[int, OrderCreate]]:
    parsed: list[tuple[int, OrderCreate]] = []
    for number, item in batch:
        if isinstance(item, FieldError):
            errors.append(item if item.line is not None else replace(item, line=number))
            continue
        try:
            parsed.append((number, OrderCreate.model_validate(item)))
        except ValidationError as exc:
            errors.extend(replace(e, line=number) for e in field_errors(exc))
    return parsed


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
