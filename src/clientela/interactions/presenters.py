"""Timeline entries and the log form as the pages show them: labels in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.commerce.models import OrderStatus, SalesChannel
from clientela.core.timeline import Entry
from clientela.interactions.models import Channel, Direction

KIND_LABELS = {"interaction": _("Interaction"), "order": _("Order")}


def timeline_rows(entries: Iterable[Entry]) -> list[dict[str, Any]]:
    """Each entry with its kind, channel, direction and status labelled for the page."""
    channels = {**dict(SalesChannel.choices), **dict(Channel.choices)}
    directions = dict(Direction.choices)
    statuses = dict(OrderStatus.choices)
    rows = []
    for entry in entries:
        row: dict[str, Any] = {
            "entry": entry,
            "kind_label": KIND_LABELS.get(entry.kind, entry.kind),
            "channel_label": channels.get(entry.channel, entry.channel),
            "direction_label": directions.get(entry.direction, ""),
            "status_label": "",
        }
        if entry.kind == "order":
            row["channel_label"] = dict(SalesChannel.choices).get(entry.channel, entry.channel)
            row["status_label"] = statuses.get(entry.data.get("status", ""), "")
        rows.append(row)
    return rows


def channel_filter_choices() -> list[tuple[str, Any]]:
    """Channels a timeline can be filtered by: contact channels, then sales channels."""
    seen = {value for value, _label in Channel.choices}
    return list(Channel.choices) + [(v, lbl) for v, lbl in SalesChannel.choices if v not in seen]
