"""One order: the test of "is this the same order?", and recording or replacing one order.

An order is named by its source system's external id. Sending it again changes nothing; an
external id already used by an order with other content is a conflict, unless the caller asks
to replace the stored order (`upsert`). Every path that writes orders (one at a time, NDJSON,
the bulk path of imports) decides with `changed_fields`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.accounts.services import require_write
from clientela.commerce.models import Order, OrderLine
from clientela.commerce.schemas import OrderCreate, OrderLineIn
from clientela.commerce.services.notices import orders_changed, orders_changed_after
from clientela.core.database import SliceClock
from clientela.core.errors import Conflict, FieldError, Invalid, NotFound, unavailable
from clientela.core.ids import is_id
from clientela.parties.models import Party
from clientela.parties.queries import visible_parties

# An order checked against OrderCreate's rules, ready to store: (external id, party id,
# ordered_at, total, currency, status, channel). ordered_at is an aware datetime or, on SQLite,
# the naive UTC text Django stores; total a Decimal or its plain text.
CheckedOrder = tuple[str, int, datetime | str, Decimal | str, str, str, str]
# The same with every value as SQLite stores it (text, and the party id): the column-wise path.
StoredRow = tuple[str, int, str, str, str, str, str]
# (sku, product, category, quantity, unit_price)
LineContent = tuple[str, str, str, Decimal, Decimal]


class OrderContent(NamedTuple):
    """What makes an order the order it is (its external id only names it).

    `lines` is None when the order as sent says nothing of its lines (a file with no lines
    column, a body without "lines"): they are then neither compared nor replaced.
    """

    party_id: int
    ordered_at: datetime
    total: Decimal
    currency: str
    status: str
    channel: str
    lines: tuple[LineContent, ...] | None = None


COMPARED = OrderContent._fields[:6]


@dataclass
class Written:
    """What a write of many orders did: its counts, and the orders refused (where they were in
    the orders given, and why)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: list[tuple[int, FieldError]] = field(default_factory=list)


def changed_fields(stored: OrderContent, incoming: OrderContent) -> tuple[str, ...]:
    """The fields in which an order sent again differs from the stored one: none means it is
    the same order. The one rule of every path that writes orders."""
    changed = tuple(
        name for name, old, new in zip(COMPARED, stored, incoming, strict=False) if old != new
    )
    if incoming.lines is not None and incoming.lines != stored.lines:
        changed += ("lines",)
    return changed


def content_of(order: OrderCreate, party_id: int) -> OrderContent:
    """The content of an order as sent; its lines count when the sender gave them."""
    lines = (
        tuple(_line(line) for line in order.lines) if "lines" in order.model_fields_set else None
    )
    return OrderContent(
        party_id,
        order.ordered_at,
        order.total,
        order.currency,
        str(order.status.value),
        str(order.channel.value),
        lines,
    )


def stored_content(order: Order, *, with_lines: bool = True) -> OrderContent:
    """The content of a stored order (its lines prefetched, when asked for)."""
    lines = (
        tuple(
            (line.sku, line.product, line.category, line.quantity, line.unit_price)
            for line in order.lines.all()
        )
        if with_lines
        else None
    )
    return OrderContent(
        order.party_id,
        order.ordered_at,
        order.total,
        order.currency,
        order.status,
        order.channel,
        lines,
    )


def _line(line: OrderLineIn) -> LineContent:
    return (line.sku, line.product, line.category, line.quantity, line.unit_price)


def conflict_error(
    external_id: str, changed: Sequence[str], *, line: int | None = None, seen: bool = True
) -> FieldError:
    """The problem of an external id already used by an order with other content.

    When that order's party is one the user may not see (`seen` false), the answer is the one
    of any invalid value: neither the order nor what differs is revealed.
    """
    if not seen:
        return unavailable("external_id", external_id, line=line)
    return FieldError(
        "external_id",
        external_id,
        _("is already used by a different order"),
        code="order_external_id_conflict",
        params={"external_id": external_id, "changed": ", ".join(changed)},
        line=line,
    )


def party_not_visible(name: str, value: object, *, line: int | None = None) -> FieldError:
    """The problem of an order naming a party the user may not see (or that does not exist)."""
    return FieldError(
        name, value, _("is not a party you can see"), code="party_not_visible", line=line
    )


def resolve_parties(
    user: User, orders: Iterable[OrderCreate]
) -> tuple[dict[int, int], dict[str, int]]:
    """The visible parties the orders name, by Clientela id and by external id."""
    orders = list(orders)
    visible = visible_parties(user)
    ids = {o.party_id for o in orders if o.party_id is not None and is_id(o.party_id)}
    refs = {o.party_external_id for o in orders if o.party_external_id is not None}
    by_id = (
        {pk: pk for pk in visible.filter(pk__in=ids).values_list("pk", flat=True)} if ids else {}
    )
    rows = visible.filter(external_id__in=refs).values_list("external_id", "pk") if refs else []
    by_ref = {ref: pk for ref, pk in rows if ref is not None}
    return by_id, by_ref


def party_of(order: OrderCreate, by_id: dict[int, int], by_ref: dict[str, int]) -> int | None:
    """The party id of an order among the resolved ones; None when it is not visible."""
    if order.party_id is not None:
        return by_id.get(order.party_id)
    return by_ref.get(order.party_external_id or "")


def party_reference(order: OrderCreate) -> tuple[str, object]:
    """The field that names the order's party, and its value."""
    if order.party_id is not None:
        return "party_id", order.party_id
    return "party_external_id", order.party_external_id


def visible_among(visible: QuerySet[Party], party_ids: Collection[int]) -> set[int]:
    """Those of the parties that are visible: an order of another team's party is not
    replaced, whatever the file says."""
    if not party_ids:
        return set()
    return set(visible.filter(pk__in=list(party_ids)).values_list("pk", flat=True))


def is_seen(user: User, party_id: int, changed: Sequence[str]) -> bool:
    """Whether the user may see the party of a stored order that differs in `changed` from one
    sent for a party they see (the same party, unless party_id is among the differences)."""
    return "party_id" not in changed or bool(visible_among(visible_parties(user), {party_id}))


def record_order(order: OrderCreate, *, by: User) -> tuple[Order, bool]:
    """Record one order; sending the same external id again changes nothing.

    Returns the order and whether it was created now. Conflict when the external id is used by
    an order with other content (an order is replaced only by a bulk write with `upsert`).
    """
    require_write(by)
    by_id, by_ref = resolve_parties(by, [order])
    party_id = party_of(order, by_id, by_ref)
    if party_id is None:
        name, value = party_reference(order)
        # The same answer as for reading the party: whether it exists is not revealed.
        raise NotFound(
            _("party %(party)s not found"),
            code="party_not_found",
            params={"party": value},
            errors=[party_not_visible(name, value)],
        )
    existing = Order.objects.prefetch_related("lines").filter(external_id=order.external_id).first()
    if existing is None:
        return insert_orders([(order, party_id)])[0], True
    changed = changed_fields(stored_content(existing), content_of(order, party_id))
    if changed and not is_seen(by, existing.party_id, changed):
        raise Invalid(conflict_error(order.external_id, changed, seen=False))
    if changed:
        raise Conflict(
            _(
                "external_id %(external_id)s is already used by a different order "
                "(it differs in %(changed)s)"
            ),
            code="order_external_id_conflict",
            params={"external_id": order.external_id, "changed": ", ".join(changed)},
            errors=[conflict_error(order.external_id, changed)],
        )
    return existing, False


def insert_orders(rows: Sequence[tuple[OrderCreate, int]]) -> list[Order]:
    """Insert new orders (checked, their parties resolved) with their lines."""
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
    orders_changed(party_id for _o, party_id in rows)
    return orders


def replace_order(pk: int, order: OrderCreate, party_id: int) -> None:
    """Give a stored order the content sent (an upsert); its lines too when they were sent."""
    orders_changed([*Order.objects.filter(pk=pk).values_list("party_id", flat=True), party_id])
    Order.objects.filter(pk=pk).update(
        party_id=party_id,
        ordered_at=order.ordered_at,
        total=order.total,
        currency=order.currency,
        status=order.status,
        channel=order.channel,
    )
    if "lines" in order.model_fields_set:
        OrderLine.objects.filter(order_id=pk).delete()
        OrderLine.objects.bulk_create(
            OrderLine(order_id=pk, **line.model_dump()) for line in order.lines
        )


@dataclass
class Undo:
    """How to take back a write of many orders that was committed in slices: the orders it
    made, and the content of those it replaced as it was before."""

    created: list[int] = field(default_factory=list)
    created_ranges: list[tuple[int, int]] = field(default_factory=list)  # ids after, up to
    replaced: list[tuple[int, OrderContent]] = field(default_factory=list)

    def add(self, other: Undo) -> None:
        self.created += other.created
        self.created_ranges += other.created_ranges
        self.replaced += other.replaced

    def as_record(self) -> dict[str, Any]:
        """The undo as JSON can keep it (to take a write back after its process ended)."""
        return {
            "created": self.created,
            "created_ranges": [list(r) for r in self.created_ranges],
            "replaced": [[pk, _content_record(c)] for pk, c in self.replaced],
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Undo:
        return cls(
            created=list(record.get("created", [])),
            created_ranges=[(a, b) for a, b in record.get("created_ranges", [])],
            replaced=[(pk, _content_of_record(c)) for pk, c in record.get("replaced", [])],
        )


def _content_record(content: OrderContent) -> list[Any]:
    party_id, at, total, currency, status, channel, lines = content
    kept = None if lines is None else [[*line[:3], str(line[3]), str(line[4])] for line in lines]
    return [party_id, at.isoformat(), str(total), currency, status, channel, kept]


def _content_of_record(record: list[Any]) -> OrderContent:
    party_id, at, total, currency, status, channel, lines = record
    return OrderContent(
        party_id,
        datetime.fromisoformat(at),
        Decimal(total),
        currency,
        status,
        channel,
        None
        if lines is None
        else tuple((a, b, c, Decimal(q), Decimal(p)) for a, b, c, q, p in lines),
    )


def undo_writes(undo: Undo) -> None:
    """Delete the orders a failed write made and give those it replaced their content back, a
    slice at a time (core.database), the last replacement first."""
    clock = SliceClock(2000, most=20_000)
    created = sorted(undo.created)
    while created:
        part, created = created[: clock.size()], created[clock.size() :]
        with clock.slice():
            orders_changed(Order.objects.filter(pk__in=part).values_list("party_id", flat=True))
            OrderLine.objects.filter(order_id__in=part).delete()
            Order.objects.filter(pk__in=part).delete()
    clock = SliceClock(20_000)
    for after, last in undo.created_ranges:
        start = after
        while start < last:
            end = min(start + clock.size(), last)
            with clock.slice():
                orders_changed_after(start, end)
                _delete_orders(start, end)
            start = end
    restores = list(reversed(undo.replaced))
    clock = SliceClock(1000)
    while restores:
        some, restores = restores[: clock.size()], restores[clock.size() :]
        with clock.slice():
            for pk, content in some:
                restore_order(pk, content)
    undo.created.clear()
    undo.created_ranges.clear()
    undo.replaced.clear()


def _delete_orders(after: int, last: int) -> None:
    """Delete the orders whose ids are in (after, last], with their lines (an order's only
    dependants), by range: no order is loaded."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model, column in ((OrderLine, "order_id"), (Order, "id")):
            cursor.execute(
                f"DELETE FROM {quote(model._meta.db_table)} "  # noqa: S608  (names from the model)
                f"WHERE {quote(column)} > %s AND {quote(column)} <= %s",
                [after, last],
            )


def restore_order(pk: int, content: OrderContent) -> None:
    """Give a stored order this content again (its lines too, when the content has them)."""
    before = Order.objects.filter(pk=pk).values_list("party_id", flat=True)
    orders_changed([*before, content.party_id])
    Order.objects.filter(pk=pk).update(
        party_id=content.party_id,
        ordered_at=content.ordered_at,
        total=content.total,
        currency=content.currency,
        status=content.status,
        channel=content.channel,
    )
    if content.lines is not None:
        OrderLine.objects.filter(order_id=pk).delete()
        OrderLine.objects.bulk_create(
            OrderLine(
                order_id=pk, sku=sku, product=product, category=category, quantity=q, unit_price=p
            )
            for sku, product, category, q, p in content.lines
        )
