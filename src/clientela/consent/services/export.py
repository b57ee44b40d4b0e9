"""Access and portability: everything kept about one party, as JSON and as CSV in a zip."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from clientela.commerce.services import purchase_summary
from clientela.consent.models import ContactLog, PrivacyRequest
from clientela.consent.services.preferences import get_preferences
from clientela.consent.services.records import consent_history
from clientela.core.cells import neutralise
from clientela.core.registries import EXPORT_SECTIONS
from clientela.parties.models import Party


def _profile(party: Party) -> dict[str, Any]:
    fields = (
        "id",
        "kind",
        "display_name",
        "given_name",
        "family_name",
        "organization_name",
        "external_id",
        "language",
        "timezone",
        "notes",
        "custom",
        "created_at",
        "updated_at",
    )
    data = {name: getattr(party, name) for name in fields}
    data["tags"] = sorted(party.tags.values_list("name", flat=True))
    return data


def _orders(party: Party) -> list[dict[str, Any]]:
    rows = []
    for order in party.orders.prefetch_related("lines").order_by("ordered_at", "id"):
        lines = [
            {
                "sku": line.sku,
                "product": line.product,
                "category": line.category,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
            }
            for line in order.lines.all()
        ]
        rows.append(
            {
                "external_id": order.external_id,
                "ordered_at": order.ordered_at,
                "status": order.status,
                "channel": order.channel,
                "total": order.total,
                "currency": order.currency,
                "lines": lines,
            }
        )
    return rows


def _consents(party: Party) -> list[dict[str, Any]]:
    return [
        {
            "recorded_at": r.recorded_at,
            "purpose": r.purpose,
            "channel": r.channel,
            "status": r.status,
            "legal_basis": r.legal_basis,
            "source": r.source,
            "wording": r.wording.text if r.wording else "",
            "wording_sha256": r.wording.sha256 if r.wording else "",
            "ip_address": r.ip_address or "",
            "user_agent": r.user_agent,
            "note": r.note,
        }
        for r in consent_history(party).order_by("recorded_at", "id")
    ]


def _preferences(party: Party) -> dict[str, Any]:
    prefs = get_preferences(party)
    names = (
        "preferred_channel",
        "language",
        "max_per_week",
        "max_per_month",
        "quiet_start",
        "quiet_end",
        "topics",
        "paused_until",
    )
    return {name: getattr(prefs, name) for name in names}


def _other_tables(party: Party) -> dict[str, list[dict[str, Any]]]:
    """Rows of every other table that points at the party (metrics, lifecycle, later apps).

    Found through the model graph so that a feature added later is not forgotten; secrets
    (token and digest columns) are left out.
    """
    from clientela.commerce.models import Order
    from clientela.consent.models import (
        ConsentRecord,
        Preferences,
        PreferenceToken,
        SignupRequest,
    )
    from clientela.interactions.models import Interaction
    from clientela.parties.models import Affiliation, ContactPoint, KeyDate, PartyChange, PartyRole

    covered = {
        Party,
        ContactPoint,
        KeyDate,
        Affiliation,
        PartyRole,
        PartyChange,
        Order,
        Interaction,
        ConsentRecord,
        Preferences,
        ContactLog,
        PrivacyRequest,
        PreferenceToken,
        SignupRequest,
    }
    sections: dict[str, list[dict[str, Any]]] = {}
    for relation in Party._meta.related_objects:
        model = relation.related_model
        if isinstance(model, str) or model in covered or relation.many_to_many:
            continue
        rows = model._default_manager.filter(**{relation.field.name: party}).values()
        name = f"{model._meta.app_label}_{model._meta.model_name}"
        sections[name] = [
            {k: v for k, v in row.items() if "digest" not in k and "token" not in k} for row in rows
        ]
    return sections


def export_party(party: Party) -> dict[str, Any]:
    """Every section of data about the party, as plain JSON-ready values."""
    summary = purchase_summary(party)
    data: dict[str, Any] = {
        "profile": _profile(party),
        "roles": list(party.roles.values("role", "since", "until")),
        "contact_points": list(
            party.contact_points.values(
                "kind", "label", "value", "street", "locality", "region", "postal_code", "country"
            )
        ),
        "key_dates": list(party.key_dates.values("kind", "label", "year", "month", "day")),
        "affiliations": list(
            party.affiliations.values("organization__display_name", "title", "since", "until")
        ),
        "orders": _orders(party),
        "purchase_summary": summary.model_dump(),
        "interactions": list(
            party.interactions.order_by("occurred_at", "id").values(
                "occurred_at", "channel", "direction", "subject", "notes", "outcome"
            )
        ),
        "consents": _consents(party),
        "preferences": _preferences(party),
        "contacts_sent": list(
            ContactLog.objects.filter(party=party)
            .order_by("at", "id")
            .values("at", "purpose", "channel", "reference")
        ),
        "privacy_requests": list(
            PrivacyRequest.objects.filter(party=party)
            .order_by("received_at", "id")
            .values("kind", "status", "received_at", "due_at", "completed_at")
        ),
        "changes": list(party.changes.order_by("at", "id").values("at", "action", "changes")),
    }
    for name, section in sorted(EXPORT_SECTIONS.items()):
        data[name] = section(party)
    data.update(_other_tables(party))
    plain: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return plain


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, cls=DjangoJSONEncoder)
    if value is None:
        text = ""
    return neutralise(text)  # no formula a spreadsheet would run, no NUL hiding one


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue()


def export_archive(party: Party) -> bytes:
    """A zip with data.json and one CSV per section."""
    data = export_party(party)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False))
        for name, section in data.items():
            rows = section if isinstance(section, list) else [section]
            archive.writestr(f"{name}.csv", _csv(rows))
    return buffer.getvalue()
