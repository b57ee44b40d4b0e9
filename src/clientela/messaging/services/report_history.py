"""Bounces and complaints on the party's timeline, in the privacy export, and gone with an
erasure. The source is named `delivery_report`, apart from the outbox's own entries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.core.registries import TimelineLabels
from clientela.core.timeline import Entry, source_rows
from clientela.messaging.models import Channel, DeliveryReport, ReportKind
from clientela.parties.models import ContactKind, Party

DELIVERY_REPORT = "delivery_report"
REPORT_LABELS = TimelineLabels(
    kind=_("Bounce or complaint"),
    channels={Channel.EMAIL: Channel.EMAIL.label},
    statuses=dict(ReportKind.choices),
)
# Delays and deliveries are kept as proof but say nothing a reader of the timeline needs.
SHOWN = (ReportKind.HARD, ReportKind.SOFT, ReportKind.COMPLAINT)


def report_entries(
    party: Party, before: tuple[datetime, str, int] | None, limit: int, channels: frozenset[str]
) -> list[Entry]:
    """The party's bounces and complaints, newest first (every report is about an e-mail)."""
    if channels and Channel.EMAIL not in channels:
        return []
    rows = source_rows(
        DELIVERY_REPORT,
        lambda party_id: DeliveryReport.objects.filter(party_id=party_id, kind__in=SHOWN),
        party=party,
        before=before,
        limit=limit,
        channels=frozenset(),
        at="reported_at",
        fields=("id", "reported_at", "kind", "status", "diagnostic", "message_id", "effects"),
    )
    labels = dict(ReportKind.choices)
    return [
        Entry(
            kind=DELIVERY_REPORT,
            id=pk,
            at=at,
            title=str(labels.get(kind, kind)),
            channel=Channel.EMAIL,
            direction="inbound",
            body=" ".join(part for part in (status, diagnostic) if part),
            data={
                "status": kind,
                "status_code": status,
                "message_id": message_id,
                "effects": list(effects or []),
            },
        )
        for pk, at, kind, status, diagnostic, message_id, effects in rows
    ]


def _of_party(party: Party) -> Q:
    emails = party.contact_points.filter(kind=ContactKind.EMAIL).values_list(
        "normalized", flat=True
    )
    return Q(party=party) | Q(recipient__in=list(emails), recipient__gt="")


def erase_reports(party: Party) -> None:
    """Delete the reports about the person (by party or by any of their addresses).

    The suppression they caused stays: the erasure itself keeps the addresses suppressed by
    their keyed hash.
    """
    DeliveryReport.objects.filter(_of_party(party)).delete()


def erased_columns() -> tuple[str, ...]:
    """Every free-text column of the reports table: an erasure deletes the rows."""
    table = DeliveryReport._meta.db_table
    return tuple(
        f"{table}.{field.column}"
        for field in DeliveryReport._meta.concrete_fields
        if field.get_internal_type() in ("CharField", "TextField", "JSONField")
        and not field.choices
        and not field.primary_key
    )


def export_reports(party: Party) -> list[dict[str, Any]]:
    """The reports about the person, for the privacy (access) export."""
    rows = DeliveryReport.objects.filter(_of_party(party)).order_by("reported_at", "id")
    return [
        {
            "kind": row.kind,
            "address": row.recipient,
            "status": row.status,
            "diagnostic": row.diagnostic,
            "feedback_type": row.feedback_type,
            "reported_at": row.reported_at.isoformat(),
            "received_at": row.received_at.isoformat(),
            "message_id": row.message_id,
            "effects": row.effects,
        }
        for row in rows
    ]
