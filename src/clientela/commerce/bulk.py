"""The set-based fast path for many orders (an import's): one statement per batch, not per order.

Behind `commerce.services.open_order_writer`, with the rules of `record_order`. The caller
hands over orders already checked against OrderCreate's rules (the import's compiled checks,
which tests hold side by side with OrderCreate) and parties resolved among those the user may
see. Each write inserts the orders whose external id is new (`ON CONFLICT DO NOTHING`); when
some were there already, each of their rows is compared with the stored order by the one rule,
`services.orders.changed_fields`: the same order is unchanged; another is refused as a conflict,
or replaced under `upsert` when its stored party is one the user may see.

SQLite keeps datetimes as naive UTC text and decimals as text: the column-wise inputs come in
that form already (`StoredRow`), so nothing is converted value by value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from itertools import chain
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from clientela.commerce.models import Order
from clientela.commerce.schemas import OrderCreate
from clientela.commerce.services.notices import orders_changed, orders_changed_after
from clientela.commerce.services.orders import (
    CheckedOrder,
    OrderContent,
    StoredRow,
    Written,
    changed_fields,
    conflict_error,
    content_of,
    insert_orders,
    replace_order,
    stored_content,
    visible_among,
)
from clientela.core.indexes import drop_secondary_indexes
from clientela.parties.models import Party

# The columns a write fills, in the order of a CheckedOrder's values, then the creation time.
INSERTED = (
    "external_id",
    "party_id",
    "ordered_at",
    "total",
    "currency",
    "status",
    "channel",
    "created_at",
)
# Orders per INSERT statement: far fewer statements, under SQLite's 32,766 parameters.
ROWS_PER_INSERT = 100
# The secondary indexes are built again at the end when a write brings at least this many
# orders, and at least half as many as the table holds.
REBUILD_MIN_ROWS = 100_000
LOOKUP_CHUNK = 900


class BulkOrders:
    """Writes checked orders a batch at a time, idempotent by external id, in the caller's
    transaction."""

    staged = False  # written straight into the order table (see services.staging)

    def __init__(self, *, visible: QuerySet[Party], upsert: bool) -> None:
        self.visible = visible
        self.upsert = upsert
        self.is_sqlite = connection.vendor == "sqlite"
        self.many_sql: dict[int, str] = {}
        self.indexes: list[str] = []
        quote = connection.ops.quote_name
        column = {f.attname: quote(f.column) for f in Order._meta.concrete_fields}
        table = quote(Order._meta.db_table)
        columns = ", ".join(column[n] for n in INSERTED)
        conflict = f"ON CONFLICT ({column['external_id']}) DO NOTHING"
        self.max_id_sql = f"SELECT MAX({column['id']}) FROM {table}"  # noqa: S608  (names from the model, no input)
        self.sql = (
            f"INSERT INTO {table} ({columns}) "  # noqa: S608  (names from the model, no input)
            f"VALUES ({', '.join(['%s'] * len(INSERTED))}) {conflict}"
        )
        # A JSON array of StoredRows, read by SQLite itself (3.38+); created_at is bound apart.
        # (The WHERE tells SQLite's parser that ON CONFLICT is not a join's ON.)
        values = ", ".join(f"value->>{i}" for i in range(len(INSERTED) - 1))
        self.json_sql = (
            f"INSERT INTO {table} ({columns}) "  # noqa: S608  (names from the model, no input)
            f"SELECT {values}, %s FROM json_each(%s) WHERE true {conflict}"
        )
        changed = ", ".join(f"{column[n]} = %s" for n in INSERTED[1:-1])
        self.update_sql = f"UPDATE {table} SET {changed} WHERE {column['id']} = %s"  # noqa: S608  (names from the model, no input)

    # -- writing ------------------------------------------------------------------------------

    def write(self, orders: Sequence[CheckedOrder]) -> Written:
        """Write orders with one statement run for each (the row-by-row checks' path)."""
        if not orders:
            return Written()
        with connection.cursor() as cursor:
            before = self._last_id(cursor)
            cursor.executemany(self.sql, self._params(orders))
            inserted = cursor.rowcount
        self._tell(before)
        return self._written(orders, before, inserted)

    def write_stored(self, rows: Sequence[StoredRow]) -> Written:
        """Write orders given as SQLite stores them, many to a statement (SQLite binds each
        value all the same, but runs far fewer statements)."""
        if not rows:
            return Written()
        now = self._now()
        params = [(*row, now) for row in rows]
        per = ROWS_PER_INSERT
        full = len(params) - len(params) % per
        flat = list(chain.from_iterable(params[:full]))
        size = per * len(params[0])
        with connection.cursor() as cursor:
            before = self._last_id(cursor)
            inserted = 0
            if full:
                cursor.executemany(
                    self._many_sql(per), [flat[i : i + size] for i in range(0, len(flat), size)]
                )
                inserted += cursor.rowcount
            if full < len(params):
                rest = list(chain.from_iterable(params[full:]))
                cursor.execute(self._many_sql(len(params) - full), rest)
                inserted += cursor.rowcount
        self._tell(before)
        return self._written(rows, before, inserted)

    def write_json(
        self, rows_json: str, count: int, rows: Callable[[], Sequence[StoredRow]]
    ) -> Written:
        """Write `count` StoredRows given as a JSON array, which SQLite reads itself (no Python
        object per value); `rows()` gives them as tuples, asked for only when some external ids
        were there already."""
        with connection.cursor() as cursor:
            before = self._last_id(cursor)
            cursor.execute(self.json_sql, [self._now(), rows_json])
            inserted = cursor.rowcount
        self._tell(before)
        if inserted == count:
            return Written(created=inserted)
        return self._reconcile(rows(), before)

    def write_with_lines(self, order: OrderCreate, party_id: int) -> Written:
        """Write one order that states its lines (compared, and replaced under upsert)."""
        existing = (
            Order.objects.prefetch_related("lines").filter(external_id=order.external_id).first()
        )
        if existing is None:
            insert_orders([(order, party_id)])
            return Written(created=1)
        changed = changed_fields(stored_content(existing), content_of(order, party_id))
        if not changed:
            return Written(unchanged=1)
        seen = bool(visible_among(self.visible, {existing.party_id}))
        if self.upsert and seen:
            replace_order(existing.pk, order, party_id)
            return Written(updated=1)
        return Written(refused=[(0, conflict_error(order.external_id, changed, seen=seen))])

    # -- the orders that were there already -----------------------------------------------------

    def _written(self, orders: Sequence[CheckedOrder], before: int, inserted: int) -> Written:
        if inserted == len(orders):
            return Written(created=inserted)
        return self._reconcile(orders, before)

    def _reconcile(self, orders: Sequence[CheckedOrder], before: int) -> Written:
        """Some external ids were there already (or came twice): each row against the order
        its external id names, in the order given."""
        written = Written()
        stored = self._stored({order[0] for order in orders})
        visible: set[int] | None = None
        replaceable: set[str] = set()  # made or replaced by this write: its party is visible
        updates: dict[int, CheckedOrder] = {}
        touched: set[int] = set()  # the parties of replaced orders, before and after
        for position, order in enumerate(orders):
            external_id = order[0]
            pk, content = stored[external_id]
            if pk > before and external_id not in replaceable:
                replaceable.add(external_id)  # the first row with this external id made it
                written.created += 1
                continue
            incoming = _content(order)
            changed = changed_fields(content, incoming)
            if not changed:
                written.unchanged += 1
                continue
            if external_id not in replaceable and visible is None:
                visible = visible_among(self.visible, {c.party_id for _pk, c in stored.values()})
            seen = external_id in replaceable or content.party_id in (visible or ())
            if self.upsert and seen:
                updates[pk] = order
                touched |= {content.party_id, incoming.party_id}
                stored[external_id] = (pk, incoming)
                replaceable.add(external_id)
                written.updated += 1
            else:
                error = conflict_error(external_id, changed, seen=seen)
                written.refused.append((position, error))
        if updates:
            self._apply_updates(updates)
            if not self.staged:  # a staged write tells when it is published
                orders_changed(touched)
        return written

    def _apply_updates(self, updates: dict[int, CheckedOrder]) -> None:
        """Give the stored orders (by id) the content of the rows that replace them."""
        params = [
            (*p[1:7], pk)
            for pk, p in zip(updates, self._params(list(updates.values())), strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.executemany(self.update_sql, params)

    def _stored(self, external_ids: set[str]) -> dict[str, tuple[int, OrderContent]]:
        """The stored orders of these external ids: their ids and contents."""
        found: dict[str, tuple[int, OrderContent]] = {}
        ids = sorted(external_ids)
        for start in range(0, len(ids), LOOKUP_CHUNK):
            rows = Order.objects.filter(external_id__in=ids[start : start + LOOKUP_CHUNK])
            columns = rows.values_list(
                "external_id",
                "pk",
                "party_id",
                "ordered_at",
                "total",
                "currency",
                "status",
                "channel",
            )
            for ext, pk, party_id, at, total, currency, status, channel in columns:
                found[ext] = (pk, OrderContent(party_id, at, total, currency, status, channel))
        return found

    # -- a large write: the indexes set aside -------------------------------------------------

    def set_indexes_aside(self, expected_rows: float) -> None:
        """Drop the order table's secondary indexes (not the unique ones: every insert's ON
        CONFLICT needs them) when this write is large beside the table; `restore_indexes` builds
        them again, in the same transaction, so a rollback brings them back too."""
        table = Order._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(self.max_id_sql)
            if expected_rows < max(REBUILD_MIN_ROWS, (cursor.fetchone()[0] or 0) / 2):
                return
            self.indexes = drop_secondary_indexes(cursor, table, keep_unique=True)

    def restore_indexes(self) -> None:
        """Build again the indexes set aside (from the finished table: far cheaper than keeping
        them up to date row by row)."""
        with connection.cursor() as cursor:
            for statement in self.indexes:
                cursor.execute(statement)
        self.indexes = []

    # -- parameters -----------------------------------------------------------------------------

    def _tell(self, before: int) -> None:
        """Tell the orders listeners of the parties of the orders just inserted (those after
        `before`); a staged write tells when it is published."""
        if not self.staged:
            orders_changed_after(before)

    def _last_id(self, cursor: Any) -> int:
        cursor.execute(self.max_id_sql)
        return int(cursor.fetchone()[0] or 0)

    def _now(self) -> Any:
        return connection.ops.adapt_datetimefield_value(timezone.now())

    def _params(self, orders: Sequence[CheckedOrder]) -> list[tuple[Any, ...]]:
        now = self._now()
        if self.is_sqlite:
            # Django keeps SQLite datetimes as naive UTC text and decimals as text.
            return [
                (ext, party, at if isinstance(at, str) else _utc_text(at), str(total), *rest, now)
                for ext, party, at, total, *rest in orders
            ]
        return [
            (ext, party, _moment(at), Decimal(total), *rest, now)
            for ext, party, at, total, *rest in orders
        ]

    def _many_sql(self, rows: int) -> str:
        if rows not in self.many_sql:
            head, _, rest = self.sql.partition(" VALUES ")
            values, _, conflict = rest.partition(" ON CONFLICT ")
            joined = ", ".join([values] * rows)
            self.many_sql[rows] = f"{head} VALUES {joined} ON CONFLICT {conflict}"
        return self.many_sql[rows]


def _utc_text(moment: datetime) -> str:
    return str(moment.astimezone(UTC).replace(tzinfo=None))


def _moment(at: datetime | str) -> datetime:
    """An ordered_at as an aware datetime (text is the naive UTC form SQLite stores)."""
    return datetime.fromisoformat(at).replace(tzinfo=UTC) if isinstance(at, str) else at


def _content(order: CheckedOrder) -> OrderContent:
    _ext, party, at, total, currency, status, channel = order
    return OrderContent(party, _moment(at), Decimal(total), currency, status, channel)
