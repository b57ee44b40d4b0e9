"""Use cases for the purchase history: record orders (one, many, or in bulk), read them.

The commerce app is the only writer of the order tables. Orders come one at a time
(`record_order`), as NDJSON (`record_orders_bulk`), or from an import through the set-based
writer of `commerce.bulk` (`open_order_writer`); all three decide "is this the same order?"
with the one rule, `changed_fields`. Each write tells the orders listeners (core.registries)
whose orders changed, once it commits (`notices`).
"""

from __future__ import annotations

from clientela.accounts.models import User
from clientela.accounts.services import require_write

# The module, not its names: commerce.bulk itself imports from this package.
from clientela.commerce import bulk
from clientela.commerce.services.batches import parse_ndjson, record_orders_bulk
from clientela.commerce.services.history import ORDER, list_orders, purchase_summary
from clientela.commerce.services.notices import orders_changed
from clientela.commerce.services.orders import (
    CheckedOrder,
    OrderContent,
    StoredRow,
    Undo,
    Written,
    changed_fields,
    record_order,
    undo_writes,
)
from clientela.commerce.services.staging import StagedOrders
from clientela.parties.queries import visible_parties

__all__ = [
    "ORDER",
    "CheckedOrder",
    "OrderContent",
    "StagedOrders",
    "StoredRow",
    "Undo",
    "Written",
    "changed_fields",
    "list_orders",
    "open_order_writer",
    "orders_changed",
    "parse_ndjson",
    "purchase_summary",
    "record_order",
    "record_orders_bulk",
    "undo_writes",
]


def open_order_writer(*, by: User, upsert: bool = False, staged: bool = False) -> bulk.BulkOrders:
    """The set-based writer of many checked orders (an import's), acting for `by`.

    Refuses a user who may not write. With `upsert`, an order whose external id is known with
    other content is replaced when its party is one `by` may see; otherwise it is refused as a
    conflict. Runs inside the caller's transaction. `staged` (SQLite only) keeps the orders in
    a private table until the caller publishes them in slices (`staging.StagedOrders`).
    """
    require_write(by)
    if staged:
        return StagedOrders(visible=visible_parties(by), upsert=upsert)
    return bulk.BulkOrders(visible=visible_parties(by), upsert=upsert)
