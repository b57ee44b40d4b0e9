"""Opaque cursors for keyset pagination: stable under inserts, no OFFSET scans."""

from __future__ import annotations

import base64
import json
from typing import Any

from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from clientela.core.errors import invalid
from clientela.core.ids import is_id


def encode_cursor(values: list[Any]) -> str:
    """Pack the sort key of the last row returned into an opaque, URL-safe string."""
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, size: int) -> list[Any]:
    """Unpack a cursor made by encode_cursor; anything else is an Invalid naming `cursor`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid(
            "cursor", cursor, _("is not a cursor this API returned"), code="cursor_invalid"
        ) from exc
    if not isinstance(values, list) or len(values) != size:
        raise invalid(
            "cursor", cursor, _("is not a cursor this API returned"), code="cursor_invalid"
        )
    return values


def id_page(rows: Any, *, cursor: str | None, limit: int, descending: bool) -> dict[str, Any]:
    """One page of a queryset ordered by id, after the row a cursor names.

    Ids grow with insertion, so paging by id is stable while rows are added.
    """
    if cursor:
        (after,) = decode_cursor(cursor, size=1)
        if not is_id(after):  # an id no row can have is no cursor of ours
            raise invalid(
                "cursor", cursor, _("is not a cursor this API returned"), code="cursor_invalid"
            )
        rows = rows.filter(pk__lt=after) if descending else rows.filter(pk__gt=after)
    page = list(rows.order_by("-id" if descending else "id")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return {"items": page, "next_cursor": encode_cursor([page[-1].pk]) if more and page else None}


def newest_first_page(rows: Any, *, at: str, cursor: str | None, limit: int) -> dict[str, Any]:
    """One page of a queryset ordered newest first by the datetime field `at`, then by id.

    The cursor holds (at, id) of the last row returned, so rows with equal times are neither
    skipped nor repeated, and rows recorded late still appear in date order.
    """
    if cursor:
        moment, pk = decode_cursor(cursor, size=2)
        when = parse_datetime(moment) if isinstance(moment, str) else None
        if when is None or when.tzinfo is None or not is_id(pk):
            raise invalid(
                "cursor", cursor, _("is not a cursor this API returned"), code="cursor_invalid"
            )
        rows = rows.filter(Q(**{f"{at}__lt": when}) | Q(**{at: when, "pk__lt": pk}))
    page = list(rows.order_by(f"-{at}", "-id")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    next_cursor = None
    if more and page:
        last = page[-1]
        next_cursor = encode_cursor([getattr(last, at).isoformat(), last.pk])
    return {"items": page, "next_cursor": next_cursor}
