"""Many orders staged first, then published in short transactions (an import on SQLite).

SQLite lets one writer in at a time, so a large import written in one transaction would make
every other writer wait for all of it. `StagedOrders` is the bulk writer of `commerce.bulk`
pointed at a private table instead: a TEMP table of the import's own connection (SQLite writes
it without taking the database's write lock). Every rule is applied while staging, against the
stored orders and the rows staged before, exactly as the bulk writer applies them to the order
table: an external id already stored is the same order (unchanged), another one (refused), or
under upsert a replacement (staged with the id of the order it replaces). Nothing reaches the
order table until `publish_slice` is called, after the whole file passed; each call copies the
next staged rows in the caller's transaction, and `undo` (in `Undo`) says how to take them back.

An external id that another writer stored between the staging and the publishing is found
again when its slice is published: the same content counts it unchanged, other content stops
the publishing (a Conflict), and the caller takes back what was published.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.commerce.bulk import INSERTED, BulkOrders, _moment
from clientela.commerce.models import Order
from clientela.commerce.schemas import OrderCreate
from clientela.commerce.services.notices import orders_changed, orders_changed_after
from clientela.commerce.services.orders import (
    CheckedOrder,
    OrderContent,
    Undo,
    Written,
    changed_fields,
    conflict_error,
    content_of,
    insert_orders,
    replace_order,
    stored_content,
    visible_among,
)
from clientela.core.errors import Conflict
from clientela.parties.models import Party

STAGE = "clientela_staged_order"
_COLUMNS = ", ".join(INSERTED)
_CONTENT = "party_id, ordered_at, total, currency, status, channel"


class StagedOrders(BulkOrders):
    """The bulk writer of orders, writing into a private staging table; `publish_slice` moves
    the staged rows to the order table a slice at a time."""

    staged = True

    def __init__(self, *, visible: QuerySet[Party], upsert: bool) -> None:
        super().__init__(visible=visible, upsert=upsert)
        quote = connection.ops.quote_name
        self.live = quote(Order._meta.db_table)
        self.live_ext = quote("external_id")
        self.published = Written()  # what publishing found changed since the staging
        self.undo = Undo()
        self.slice_undo = Undo()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS temp.{STAGE}")
            # Columns without a type keep the values as given; the order table's own types
            # apply when they are published, exactly as when they were inserted there directly.
            cursor.execute(
                f"CREATE TEMP TABLE {STAGE} (id INTEGER PRIMARY KEY, external_id NOT NULL "
                "UNIQUE, party_id, ordered_at, total, currency, status, channel, created_at, "
                "live_id, payload)"
            )
        self.max_id_sql = f"SELECT MAX(id) FROM temp.{STAGE}"  # noqa: S608  (no input)
        self.update_sql = (
            f"UPDATE temp.{STAGE} SET party_id = %s, ordered_at = %s, total = %s, "  # noqa: S608  (no input)
            "currency = %s, status = %s, channel = %s WHERE id = %s"
        )
        self.replace_sql = (
            f"INSERT INTO temp.{STAGE} ({_COLUMNS}, live_id) VALUES "  # noqa: S608  (no input)
            f"({', '.join(['%s'] * (len(INSERTED) + 1))})"
        )
        values = ", ".join(f"j.value->>{i}" for i in range(len(INSERTED) - 1))
        self.json_sql = (
            f"INSERT INTO temp.{STAGE} ({_COLUMNS}) SELECT {values}, %s FROM json_each(%s) AS j "  # noqa: S608  (no input)
            f"WHERE NOT EXISTS (SELECT 1 FROM {self.live} o "
            f"WHERE o.{self.live_ext} = j.value->>0) ON CONFLICT (external_id) DO NOTHING"
        )
        self.sql = self._many_sql(1)

    def close(self) -> None:
        """Drop the staging table (it also goes with the connection)."""
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS temp.{STAGE}")

    # -- staging: the bulk writer's rules against the stage and the stored orders --------------

    def _many_sql(self, rows: int) -> str:
        if rows not in self.many_sql:
            row = f"({', '.join(['%s'] * len(INSERTED))})"
            self.many_sql[rows] = (
                f"INSERT INTO temp.{STAGE} ({_COLUMNS}) SELECT * FROM "  # noqa: S608  (no input)
                f"(VALUES {', '.join([row] * rows)}) AS v WHERE NOT EXISTS (SELECT 1 FROM "
                f"{self.live} o WHERE o.{self.live_ext} = v.column1) "
                "ON CONFLICT (external_id) DO NOTHING"
            )
        return self.many_sql[rows]

    def _stored(self, external_ids: set[str]) -> dict[str, tuple[int, OrderContent]]:
        """Staged rows by their (positive) stage id, else stored orders by their id negated."""
        found: dict[str, tuple[int, OrderContent]] = {}
        ids = sorted(external_ids)
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 900):
                chunk = ids[start : start + 900]
                cursor.execute(
                    f"SELECT external_id, id, {_CONTENT} FROM temp.{STAGE} "  # noqa: S608  (no input)
                    f"WHERE external_id IN ({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )
                for ext, pk, party, at, total, currency, status, channel in cursor.fetchall():
                    content = OrderContent(
                        party, _moment(at), Decimal(total), currency, status, channel
                    )
                    found[ext] = (pk, content)
        live = super()._stored(external_ids - found.keys())
        found.update((ext, (-pk, content)) for ext, (pk, content) in live.items())
        return found

    def _apply_updates(self, updates: dict[int, CheckedOrder]) -> None:
        """A staged row takes the new content; a stored order gets a staged replacement."""
        params = self._params(list(updates.values()))
        with connection.cursor() as cursor:
            for pk, values in zip(updates, params, strict=True):
                if pk > 0:
                    cursor.execute(self.update_sql, [*values[1:7], pk])
                else:
                    cursor.execute(self.replace_sql, [*values, -pk])

    def write_with_lines(self, order: OrderCreate, party_id: int) -> Written:
        """Stage one order that states its lines (kept whole, as JSON, until published)."""
        incoming = content_of(order, party_id)
        pk, content = self._stored_with_lines(order.external_id)
        row = [*self._params([_checked(order, party_id)])[0], order.model_dump_json()]
        if pk is None:
            self._execute(
                f"INSERT INTO temp.{STAGE} ({_COLUMNS}, payload) VALUES "  # noqa: S608  (no input)
                f"({', '.join(['%s'] * (len(INSERTED) + 1))})",
                row,
            )
            return Written(created=1)
        assert content is not None  # noqa: S101  (found together with pk)
        changed = changed_fields(content, incoming)
        if not changed:
            return Written(unchanged=1)
        if self.upsert and (pk > 0 or visible_among(self.visible, {content.party_id})):
            if pk > 0:
                self._execute(
                    f"UPDATE temp.{STAGE} SET party_id = %s, ordered_at = %s, total = %s, "  # noqa: S608  (no input)
                    "currency = %s, status = %s, channel = %s, payload = %s WHERE id = %s",
                    [*row[1:7], row[-1], pk],
                )
            else:
                self._execute(
                    f"INSERT INTO temp.{STAGE} ({_COLUMNS}, live_id, payload) VALUES "  # noqa: S608  (no input)
                    f"({', '.join(['%s'] * (len(INSERTED) + 2))})",
                    [*row[:-1], -pk, row[-1]],
                )
            return Written(updated=1)
        return Written(refused=[(0, conflict_error(order.external_id, changed))])

    def _stored_with_lines(self, external_id: str) -> tuple[int | None, OrderContent | None]:
        """The staged row or stored order of this external id, its content with its lines."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, {_CONTENT}, payload FROM temp.{STAGE} WHERE external_id = %s",  # noqa: S608  (no input)
                [external_id],
            )
            found = cursor.fetchone()
        if found is not None:
            pk, party, at, total, currency, status, channel, payload = found
            if payload:
                return pk, content_of(OrderCreate.model_validate_json(payload), party)
            content = OrderContent(party, _moment(at), Decimal(total), currency, status, channel)
            return pk, content._replace(lines=())  # a stored order without lines has none
        existing = Order.objects.prefetch_related("lines").filter(external_id=external_id).first()
        if existing is None:
            return None, None
        return -existing.pk, stored_content(existing)

    def set_indexes_aside(self, expected_rows: float) -> None:
        """Nothing: the staging table has only its unique index, and the order table keeps its
        indexes (other requests read it while the import is published)."""

    def restore_indexes(self) -> None:
        """Nothing was set aside."""

    # -- publishing ------------------------------------------------------------------------

    def publish_slice(self, after: int, rows: int) -> tuple[int, Undo] | None:
        """Publish the staged rows after stage id `after`, at most `rows` of them, in the
        caller's transaction; returns the last stage id published and how to take this slice
        back (for the caller to add to `self.undo` once the slice is committed: ids of a slice
        rolled back may be given to another writer's orders), or None when no row is left."""
        self.slice_undo = Undo()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT MAX(id) FROM (SELECT id FROM temp.{STAGE} WHERE id > %s "  # noqa: S608  (no input)
                "ORDER BY id LIMIT %s)",
                [after, rows],
            )
            last = cursor.fetchone()[0]
            if last is None:
                return None
            where = f"s.id > {int(after)} AND s.id <= {int(last)}"
            before = self._live_max(cursor)
            self._publish_new(cursor, where, before)
            self._publish_replacements(cursor, where)
            self._publish_with_lines(cursor, where)
            after = self._live_max(cursor)
            self.slice_undo.created_ranges.append((before, after))
        orders_changed_after(before, after)  # the listeners hear once this slice commits
        return int(last), self.slice_undo

    def _live_max(self, cursor: Any) -> int:
        cursor.execute(f"SELECT MAX(id) FROM {self.live}")  # noqa: S608  (no input)
        return int(cursor.fetchone()[0] or 0)

    def _publish_new(self, cursor: Any, where: str, before: int) -> None:
        """The new orders, sorted by party (far fewer index pages touched)."""
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        columns = ", ".join(f"s.{c}" for c in INSERTED[:-1])
        plain = f"{where} AND s.live_id IS NULL AND s.payload IS NULL"
        cursor.execute(
            f"INSERT INTO {self.live} ({_COLUMNS}) SELECT {columns}, %s FROM temp.{STAGE} s "  # noqa: S608  (no input)
            f"WHERE {plain} ORDER BY s.party_id ON CONFLICT ({self.live_ext}) DO NOTHING",
            [now],
        )
        inserted = cursor.rowcount
        cursor.execute(f"SELECT COUNT(*) FROM temp.{STAGE} s WHERE {plain}")  # noqa: S608  (no input)
        if inserted < cursor.fetchone()[0]:
            self._stored_since(cursor, plain, before)

    def _stored_since(self, cursor: Any, plain: str, before: int) -> None:
        """Staged new orders that another writer stored in the meantime: the same order is
        counted unchanged, another stops the publishing."""
        cursor.execute(
            f"SELECT s.external_id, s.{_CONTENT.replace(', ', ', s.')} FROM temp.{STAGE} s "  # noqa: S608  (no input)
            f"JOIN {self.live} o ON o.{self.live_ext} = s.external_id "
            f"WHERE {plain} AND o.id <= %s",
            [before],
        )
        staged = {
            ext: OrderContent(party, _moment(at), Decimal(total), currency, status, channel)
            for ext, party, at, total, currency, status, channel in cursor.fetchall()
        }
        stored = super()._stored(set(staged))
        for ext, content in staged.items():
            changed = changed_fields(stored[ext][1], content)
            if changed:
                raise _publish_conflict(ext, changed)
            self.published.created -= 1
            self.published.unchanged += 1

    def _publish_replacements(self, cursor: Any, where: str) -> None:
        """The stored orders replaced under upsert (their content before kept in the undo)."""
        replacing = f"{where} AND s.live_id IS NOT NULL AND s.payload IS NULL"
        cursor.execute(f"SELECT s.live_id, s.party_id FROM temp.{STAGE} s WHERE {replacing}")  # noqa: S608  (no input)
        found = cursor.fetchall()
        ids = [pk for pk, _party in found]
        if not ids:
            return
        touched = {party for _pk, party in found}
        for order in Order.objects.filter(pk__in=ids):
            self.slice_undo.replaced.append((order.pk, stored_content(order, with_lines=False)))
            touched.add(order.party_id)
        orders_changed(touched)
        sets = ", ".join(f"{c} = s.{c}" for c in _CONTENT.split(", "))
        cursor.execute(
            f"UPDATE {self.live} SET {sets} FROM temp.{STAGE} s "  # noqa: S608  (no input)
            f"WHERE {self.live}.id = s.live_id AND {replacing}"
        )

    def _publish_with_lines(self, cursor: Any, where: str) -> None:
        """The orders that state their lines, one at a time, as the bulk writer writes them."""
        cursor.execute(
            f"SELECT s.party_id, s.live_id, s.payload FROM temp.{STAGE} s "  # noqa: S608  (no input)
            f"WHERE {where} AND s.payload IS NOT NULL ORDER BY s.id"
        )
        for party_id, live_id, payload in cursor.fetchall():
            order = OrderCreate.model_validate_json(payload)
            if live_id is not None:
                existing = Order.objects.prefetch_related("lines").get(pk=live_id)
                self.slice_undo.replaced.append((live_id, stored_content(existing)))
                replace_order(live_id, order, party_id)
                continue
            stored = Order.objects.prefetch_related("lines").filter(external_id=order.external_id)
            found = stored.first()
            if found is None:
                insert_orders([(order, party_id)])
                continue
            changed = changed_fields(stored_content(found), content_of(order, party_id))
            if changed:
                raise _publish_conflict(order.external_id, changed)
            self.published.created -= 1
            self.published.unchanged += 1

    def _execute(self, sql: str, params: list[Any]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def _checked(order: OrderCreate, party_id: int) -> CheckedOrder:
    return (
        order.external_id,
        party_id,
        order.ordered_at,
        order.total,
        order.currency,
        str(order.status.value),
        str(order.channel.value),
    )


def _publish_conflict(external_id: str, changed: tuple[str, ...]) -> Conflict:
    return Conflict(
        _(
            "order %(external_id)s was stored by another writer, with other content, while "
            "this import was being published; nothing of the import was kept: run it again"
        ),
        code="import_conflict_while_publishing",
        params={"external_id": external_id, "changed": ", ".join(changed)},
        errors=[conflict_error(external_id, changed)],
    )
