"""The party timeline: entries from every feature, merged newest first.

Each feature registers a source (in its AppConfig.ready) that returns its newest entries for
one party before a cursor position; the timeline merges them. A source reads its own tables only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from clientela.parties.models import Party


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


# A source: (party, before=(at, kind, id) or None, limit, channels) -> entries newest first.
Source = Callable[[Party, tuple[datetime, str, int] | None, int, frozenset[str]], list[Entry]]
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
