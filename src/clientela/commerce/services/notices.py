"""Telling the orders listeners (core.registries) whose orders changed, once a write commits.

Every path that writes the order table calls `orders_changed` with the parties it touched. Within
one transaction the parties are gathered into one notice, handed to the listeners after the
commit (`transaction.on_commit`): a rolled-back write tells nobody, and an import published in
slices (each its own transaction on SQLite) tells them once per slice. A listener that fails is
logged and does not undo the committed write (the nightly refresh repairs what it missed).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction

from clientela.core.registries import orders_listeners

logger = logging.getLogger(__name__)


class _Notice:
    """The parties one transaction touched, delivered after it commits."""

    def __init__(self) -> None:
        self.party_ids: set[int] = set()
        self.delivered = False

    def __call__(self) -> None:
        self.delivered = True
        deliver(frozenset(self.party_ids))


def orders_changed(party_ids: Iterable[int]) -> None:
    """Note that these parties' orders changed; the listeners hear of it after the commit.

    Outside a transaction (autocommit) the write is committed already: they hear at once.
    """
    ids = {int(pk) for pk in party_ids if pk is not None}
    if not ids or not orders_listeners():
        return
    if not connection.in_atomic_block:
        deliver(frozenset(ids))
        return
    notice = _pending()
    if notice is None:
        notice = _Notice()
        transaction.on_commit(notice, robust=True)
    notice.party_ids |= ids


def orders_changed_after(after: int, last: int | None = None) -> None:
    """Note the parties of the orders with ids in (after, last] (all after `after` without
    `last`): what a set-based insert just added, read back in one statement."""
    if not orders_listeners():
        return
    from clientela.commerce.models import Order

    rows = Order.objects.filter(pk__gt=after)
    if last is not None:
        rows = rows.filter(pk__lte=last)
    orders_changed(rows.values_list("party_id", flat=True).distinct().order_by())


def _pending() -> _Notice | None:
    """This transaction's notice, if a write already made one (and no rollback dropped it)."""
    hooks: list[Any] = connection.run_on_commit
    for hook in hooks:
        if isinstance(hook[1], _Notice) and not hook[1].delivered:
            return hook[1]
    return None


def deliver(party_ids: frozenset[int]) -> None:
    """Tell every listener; one that fails is logged, the others are still told."""
    for listener in orders_listeners():
        try:
            listener(party_ids)
        except Exception:  # a committed write stands whatever a listener does
            logger.exception("orders listener %r failed for %d parties", listener, len(party_ids))
