"""The timeline and the log form as pages show them: labels in the reader's language, and the
two panels this app adds to the customer page (the log form and the timeline with its filters).

Entries of other features (orders, consent changes, merges…) are labelled from what those
features registered in `core.registries.register_timeline_labels`; nothing here imports them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import IO, Any

from django.http import FileResponse, HttpRequest
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from clientela.core.errors import Invalid, Text
from clientela.core.registries import TIMELINE_LABELS, TimelineLabels
from clientela.core.requests import current_user
from clientela.core.timeline import SOURCES, Entry
from clientela.interactions.models import Attachment, Channel, Direction, Interaction
from clientela.interactions.services import INTERACTION, related_entries, timeline
from clientela.interactions.services.attachments import (
    KINDS,
    MAX_FILES,
    allowed_kinds,
    attachments_by_interaction,
    max_bytes,
)
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
    """Each entry with its kind, channel, direction and status labelled for the page; an
    interaction with its files (one query for the page) and whether it was corrected."""
    entries = list(entries)
    files = attachments_by_interaction(
        e.id for e in entries if e.kind == INTERACTION and e.data.get("has_attachments")
    )
    related = related_entries(
        {e.data.get("corrected_by_id") for e in entries if e.kind == INTERACTION}
        | {e.data.get("corrects_id") for e in entries if e.kind == INTERACTION}
    )
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
                **(_interaction_parts(entry, files, related) if entry.kind == INTERACTION else {}),
            }
        )
    return rows


def _interaction_parts(
    entry: Entry, files: dict[int, list[Attachment]], related: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    """What an interaction's line adds: its files, and the entries it corrects or that
    correct it (their anchors on the page, when and by whom they were logged)."""
    fixed_by, fixes = entry.data.get("corrected_by_id"), entry.data.get("corrects_id")
    return {
        "attachments": [
            {**attachment_row(a), "url": attachment_url(a)} for a in files.get(entry.id, [])
        ],
        "corrected_by": related.get(fixed_by) if isinstance(fixed_by, int) else None,
        "corrects": related.get(fixes) if isinstance(fixes, int) else None,
    }


def attachment_url(attachment: Attachment) -> str:
    return reverse("interactions:attachment", args=[attachment.interaction_id, attachment.pk])


def attachment_row(attachment: Attachment) -> dict[str, Any]:
    """A file as pages show it: its name and its size in words ("12 KB")."""
    return {"id": attachment.pk, "name": attachment.name, "size": filesizeformat(attachment.size)}


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
        "files": file_rules(),
    }


def file_rules() -> dict[str, Any]:
    """What the file field accepts, as its help text says it."""
    return {
        "max_files": MAX_FILES,
        "max_size": filesizeformat(max_bytes()),
        "kinds": ", ".join(KINDS[k][1] for k in allowed_kinds()),
    }


def correction_form(original: Interaction) -> dict[str, Any]:
    """The correction form, filled with the entry it corrects (its time in the reader's zone)."""
    moment = timezone.localtime(original.occurred_at).strftime("%Y-%m-%dT%H:%M")
    return {
        **empty_log_form(),
        "values": {
            "channel": original.channel,
            "direction": original.direction,
            "occurred_at": moment,
            "subject": original.subject,
            "notes": original.notes,
            "outcome": original.outcome,
        },
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
        "can_correct": current_user(request).can_write,
        "timeline_url": reverse("parties:timeline", args=[party.pk]),
    }


def download_response(attachment: Attachment, file: IO[bytes]) -> FileResponse:
    """A kept file as a download, whatever its kind (never shown in the page: no HTML or SVG
    runs from it), typed by its content and with the browser's own sniffing off."""
    response = FileResponse(
        file, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
