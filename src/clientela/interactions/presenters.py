"""The timeline and the log form as pages show them: labels in the reader's language, and the
two panels this app adds to the customer page (the log form and the timeline with its filters).

Entries of other features (orders, consent changes, merges…) are labelled from what those
features registered in `core.registries.register_timeline_labels`; nothing here imports them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from clientela.core.errors import Invalid, Text
from clientela.core.registries import TIMELINE_LABELS, TimelineLabels
from clientela.core.requests import current_user
from clientela.core.timeline import SOURCES, Entry
from clientela.interactions.models import Channel, Direction
from clientela.interactions.services import INTERACTION, timeline
from clientela.parties.models import Party

INTERACTION_LABELS = TimelineLabels(kind=_("Interaction"), channels=dict(Channel.choices))
TIMELINE_PAGE = 25  # entries per page on the customer page
MAX_CHANNEL_FILTERS = 20


def kind_label(kind: str) -> Text:
    """What a kind of timeline entry is called: "Interaction", "Order"…, else its code."""
    labels = TIMELINE_LABELS.get(kind)
    return labels.kind if labels is not None else kind


def _all_labels() -> list[TimelineLabels]:
    """Every feature's labels, this app's first: a contact channel's name wins over another
    feature's channel with the same code."""
    return [INTERACTION_LABELS] + [
        labels for kind, labels in sorted(TIMELINE_LABELS.items()) if kind != INTERACTION
    ]


def channel_label(value: str, *, kind: str = INTERACTION) -> str:
    """A channel's name: the one the entry's own feature gave, else any feature's, else the code."""
    own = TIMELINE_LABELS.get(kind)
    if own is not None and value in own.channels:
        return str(own.channels[value])
    for labels in _all_labels():
        if value in labels.channels:
            return str(labels.channels[value])
    return value


def direction_label(value: str) -> str:
    """Inbound or outbound, in the reader's language; "" for entries without a direction."""
    return str(dict(Direction.choices).get(value, ""))


def timeline_rows(entries: Iterable[Entry]) -> list[dict[str, Any]]:
    """Each entry with its kind, channel, direction and status labelled for the page."""
    rows = []
    for entry in entries:
        labels = TIMELINE_LABELS.get(entry.kind)
        status = entry.data.get("status", "")
        statuses: Mapping[str, Text] = labels.statuses if labels is not None else {}
        rows.append(
            {
                "entry": entry,
                "kind_label": kind_label(entry.kind),
                "channel_label": channel_label(entry.channel, kind=entry.kind),
                "direction_label": direction_label(entry.direction),
                "status_label": str(statuses.get(status, "")) if isinstance(status, str) else "",
            }
        )
    return rows


def channel_filter_choices() -> list[tuple[str, Text]]:
    """Channels a timeline can be filtered by: contact channels, then other features' channels."""
    choices: dict[str, Text] = {}
    for labels in _all_labels():
        for value, label in labels.channels.items():
            choices.setdefault(value, label)
    return list(choices.items())


# --- the customer page's panels ------------------------------------------------------------


def empty_log_form() -> dict[str, Any]:
    """The form's values and errors before anything was typed: a phone call taken just now."""
    return {
        "values": {"channel": Channel.PHONE, "direction": Direction.INBOUND},
        "errors": {},
        "channels": Channel.choices,
        "directions": Direction.choices,
        "saved": False,
    }


def log_panel(request: HttpRequest, party: Party) -> dict[str, Any] | None:
    """The "log an interaction" form, for those who may write."""
    if not current_user(request).can_write:
        return None
    return {"log": empty_log_form()}


def timeline_context(request: HttpRequest, party: Party) -> dict[str, Any]:
    """One page of the party's timeline, filtered by the query's kinds and channels.

    A cursor that no longer fits (an old link) starts the timeline over instead of failing.
    """
    kinds = [k for k in request.GET.getlist("kind") if k in SOURCES]
    channels = [c for c in request.GET.getlist("channel") if c][:MAX_CHANNEL_FILTERS]
    cursor = request.GET.get("cursor") or None
    try:
        entries, next_cursor = timeline(
            party,
            kinds=frozenset(kinds),
            channels=frozenset(channels),
            cursor=cursor,
            limit=TIMELINE_PAGE,
        )
    except Invalid:
        entries, next_cursor = timeline(party, limit=TIMELINE_PAGE)
    filters = urlencode([("kind", k) for k in kinds] + [("channel", c) for c in channels])
    more = urlencode([("cursor", next_cursor)]) if next_cursor else ""
    return {
        "entries": timeline_rows(entries),
        "next_cursor": next_cursor,
        "timeline_filters": {"kind": kinds, "channel": channels},
        "timeline_kinds": [(k, kind_label(k)) for k in sorted(SOURCES)],
        "timeline_channels": channel_filter_choices(),
        "more_query": "&".join(p for p in (filters, more) if p),
        "timeline_url": reverse("parties:timeline", args=[party.pk]),
    }
