"""Many orders checked as the bulk writer would write them, without writing the order table.

`StagedOrders` is the bulk writer of `commerce.bulk` pointed at a private table instead: a TEMP
table of the import's own connection (SQLite writes it without taking the database's write
lock). Every rule is applied against the stored orders and the rows staged before, exactly as
the bulk writer applies them to the order table: an external id already stored is the same
order (unchanged), another one (refused), or under upsert a replacement. An import uses it on
SQLite where nothing may reach the order table: a dry run, and the rest of a file once a row
was refused (all-or-nothing: what was written is taken back, and the remaining rows are still
checked, so that every problem is reported).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from clientela.commerce.bulk import INSERTED, BulkOrders, _moment
from clientela.commerce.models import Order
from clientela.commerce.schemas import OrderCreate
from clientela.commerce.services.orders import (
    CheckedOrder,
    OrderContent,
    Written,
    changed_fields,
    conflict_error,
    content_of,
    stored_content,
    visible_among,
)
from clientela.parties.models import Party

STAGE = "clientela_staged_order"
_COLUMNS = ", ".join(INSERTED)
_CONTENT = "party_id, ordered_at, total, currency, status, channel"


class StagedOrders(BulkOrders):
    """The bulk writer of orders, writing into a private staging table (never published)."""

    staged = True

    def __init__(self, *, visible: QuerySet[Party], upsert: bool) -> None:
        super().__init__(visible=visible, upsert=upsert)
        quote = connection.ops.quote_name
        self.live = quote(Order._meta.db_table)
        self.live_ext = quote("external_id")
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS temp.{STAGE}")
            # Columns without a type keep the values as given.
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
