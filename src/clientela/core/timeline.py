"""The party timeline: entries from every feature, merged newest first.

This is the timeline's registry, on the ground floor so that every feature, whatever its
floor, can add its entries; the interactions app merges them into the timeline a reader sees.
Each feature registers a source (in its AppConfig.ready) that returns its newest entries for
one party before a cursor position; the timeline merges them. A source reads its own tables only.
`source_rows` gives a source its page of rows in one query compiled once per process
(core.prepared): the timeline is the API's hottest read, and compiling every source's query
anew cost more than answering it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Model, QuerySet

from clientela.core import prepared


@dataclass(frozen=True)
class Entry:
    """One line of the timeline, the same shape whatever feature it comes from."""

    kind: str
    id: int
    at: datetime
    title: str
    channel: str = ""
    direction: str = ""
    body: str = ""
    actor: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def sort_key(self) -> tuple[datetime, str, int]:
        return (self.at, self.kind, self.id)


# A source: (party (a parties.Party), before=(at, kind, id) or None, limit, channels)
# -> entries newest first.
Source = Callable[[Any, tuple[datetime, str, int] | None, int, frozenset[str]], list[Entry]]
SOURCES: dict[str, Source] = {}


def register_source(kind: str, source: Source) -> None:
    """Make a feature's entries part of every party's timeline."""
    SOURCES[kind] = source


def before_filter(kind: str, before: tuple[datetime, str, int] | None, *, at: str) -> Any:
    """The Q that keeps a source's rows strictly after `before` in newest-first order."""
    from django.db.models import Q

    if before is None:
        return Q()
    b_at, b_kind, b_id = before
    if kind < b_kind:
        return Q(**{f"{at}__lte": b_at})
    if kind > b_kind:
        return Q(**{f"{at}__lt": b_at})
    return Q(**{f"{at}__lt": b_at}) | Q(**{at: b_at, "pk__lt": b_id})


def source_rows(
    kind: str,
    rows_of_party: Callable[[int], QuerySet[Any]],
    *,
    party: Model,
    before: tuple[datetime, str, int] | None,
    limit: int,
    channels: frozenset[str],
    at: str,
    fields: Sequence[str],
    channel_field: str = "channel",
) -> list[tuple[Any, ...]]:
    """A source's page for one party: `fields` of its rows after `before`, newest first.

    `rows_of_party(party_id)` is the source's queryset of one party's rows (its own tables);
    this adds the cursor, the channel filter, the order (`at`, then id, both descending) and
    the limit, and runs it as a query compiled once per shape.
    """
    b_kind = before[1] if before is not None else ""
    relation = None if before is None else (kind > b_kind) - (kind < b_kind)
    values: dict[str, prepared.Value] = {"party_id": party.pk}
    if before is not None:
        values.update(b_at=before[0], b_id=before[2])
    wanted = sorted(channels)
    values.update({f"channel_{i}": channel for i, channel in enumerate(wanted)})

    def build(party_id: int, b_at: Any = None, b_id: Any = None, **chosen: Any) -> QuerySet[Any]:
        rows = rows_of_party(party_id).filter(
            before_filter(kind, None if before is None else (b_at, b_kind, b_id), at=at)
        )
        if chosen:
            rows = rows.filter(**{f"{channel_field}__in": list(chosen.values())})
        return rows.order_by(f"-{at}", "-id").values_list(*fields)[:limit]

    shape = ("timeline", kind, relation, len(wanted), limit, at, tuple(fields), channel_field)
    return prepared.rows(shape, build, values)
