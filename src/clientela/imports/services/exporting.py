"""Exports: parties, orders and interactions the user may see, as CSV or NDJSON, streamed.

Column names are the import's field names, so an exported file imports back as it is. CSV
cells that a spreadsheet would run as a formula are neutralised (see core/cells.py).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Right, User
from clientela.accounts.services import require_right
from clientela.commerce.models import Order
from clientela.core.cells import neutralise
from clientela.core.errors import invalid
from clientela.imports.services.reading import CSV, NDJSON
from clientela.interactions.models import Interaction
from clientela.parties.models import Affiliation, ContactKind, CustomField, Party
from clientela.parties.queries import search_parties, visible_parties

CHUNK = 2000
PARTY_COLUMNS = [
    "clientela_id", "external_id", "kind", "given_name", "family_name", "organization_name",
    "email", "phone", "website", "street", "city", "region", "postal_code", "country",
    "birthday", "customer_since", "language", "timezone", "tags", "roles", "owner", "team",
    "notes",
]  # fmt: skip
ORDER_COLUMNS = [
    "external_id", "party_id", "party_external_id", "party_email", "ordered_at", "total",
    "currency", "status", "channel",
]  # fmt: skip
INTERACTION_COLUMNS = [
    "external_id", "party_id", "party_external_id", "party_email", "channel", "direction",
    "occurred_at", "subject", "notes", "outcome",
]  # fmt: skip


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date | Decimal):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _primary(party: Party, kind: str) -> Any:
    points = [p for p in party.contact_points.all() if p.kind == kind]
    return next((p for p in points if p.is_primary), points[0] if points else None)


def _key_date(party: Party, kind: str) -> str:
    for item in party.key_dates.all():
        if item.kind == kind:
            year = f"{item.year:04d}" if item.year else "-"
            return f"{year}-{item.month:02d}-{item.day:02d}"
    return ""


def party_row(party: Party, custom_keys: list[str]) -> dict[str, Any]:
    """One party as a flat row: the primary e-mail, phone, website and address."""
    email = _primary(party, ContactKind.EMAIL)
    phone = _primary(party, ContactKind.PHONE)
    website = _primary(party, ContactKind.WEBSITE)
    address = _primary(party, ContactKind.ADDRESS)
    row = {
        "clientela_id": party.pk,
        "external_id": party.external_id or "",
        "kind": party.kind,
        "given_name": party.given_name,
        "family_name": party.family_name,
        "organization_name": party.organization_name,
        "email": email.value if email else "",
        "phone": phone.value if phone else "",
        "website": website.value if website else "",
        "street": address.street if address else "",
        "city": address.locality if address else "",
        "region": address.region if address else "",
        "postal_code": address.postal_code if address else "",
        "country": address.country if address else "",
        "birthday": _key_date(party, "birthday"),
        "customer_since": _key_date(party, "customer_since"),
        "language": party.language,
        "timezone": party.timezone,
        "tags": ", ".join(sorted(t.name for t in party.tags.all())),
        "roles": ", ".join(sorted({r.role for r in party.roles.all()})),
        "owner": party.owner.email if party.owner else "",
        "team": party.team.name if party.team else "",
        "notes": party.notes,
    }
    for key in custom_keys:
        row[f"custom.{key}"] = party.custom.get(key, "")
    return row


def party_record(party: Party) -> dict[str, Any]:
    """One party in full, shaped like PartyCreate plus clientela_id, owner and team."""
    return {
        "clientela_id": party.pk,
        "kind": party.kind,
        "external_id": party.external_id,
        "given_name": party.given_name,
        "family_name": party.family_name,
        "organization_name": party.organization_name,
        "language": party.language,
        "timezone": party.timezone,
        "organization_level": party.organization_level,
        "notes": party.notes,
        "tags": sorted(t.name for t in party.tags.all()),
        "custom": party.custom,
        "roles": [{"role": r.role, "since": r.since, "until": r.until} for r in party.roles.all()],
        "contact_points": [
            {
                "kind": p.kind,
                "value": p.value,
                "label": p.label,
                "is_primary": p.is_primary,
                "street": p.street,
                "locality": p.locality,
                "region": p.region,
                "postal_code": p.postal_code,
                "country": p.country,
            }
            for p in party.contact_points.all()
        ],
        "key_dates": [
            {"kind": d.kind, "label": d.label, "year": d.year, "month": d.month, "day": d.day}
            for d in party.key_dates.all()
        ],
        "owner": party.owner.email if party.owner else None,
        "team": party.team.name if party.team else None,
    }


def _parties_for_export(parties: QuerySet[Party]) -> QuerySet[Party]:
    return (
        parties.select_related("owner", "team")
        .prefetch_related(
            "tags",
            "roles",
            "contact_points",
            "key_dates",
            Prefetch("affiliations", queryset=Affiliation.objects.select_related("organization")),
        )
        .order_by("pk")
    )


def _party_email(party: Party) -> str:
    email = _primary(party, ContactKind.EMAIL)
    return email.value if email else ""


def order_row(order: Order) -> dict[str, Any]:
    return {
        "external_id": order.external_id,
        "party_id": order.party_id,
        "party_external_id": order.party.external_id or "",
        "party_email": _party_email(order.party),
        "ordered_at": order.ordered_at,
        "total": order.total,
        "currency": order.currency,
        "status": order.status,
        "channel": order.channel,
    }


def order_record(order: Order) -> dict[str, Any]:
    record = order_row(order)
    record["lines"] = [
        {
            "sku": line.sku,
            "product": line.product,
            "category": line.category,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
        }
        for line in order.lines.all()
    ]
    return record


def interaction_row(item: Interaction) -> dict[str, Any]:
    return {
        "external_id": item.external_id or "",
        "party_id": item.party_id,
        "party_external_id": item.party.external_id or "",
        "party_email": _party_email(item.party),
        "channel": item.channel,
        "direction": item.direction,
        "occurred_at": item.occurred_at,
        "subject": item.subject,
        "notes": item.notes,
        "outcome": item.outcome,
    }


def _with_party(rows: QuerySet[Any]) -> QuerySet[Any]:
    contacts = Prefetch("party__contact_points")
    return rows.select_related("party").prefetch_related(contacts).order_by("pk")


def export_rows(
    kind: str, user: User, *, filters: dict[str, Any] | None = None, fmt: str = CSV
) -> tuple[list[str], Iterator[dict[str, Any]]]:
    """The columns and the rows of an export of what the user may see (if their role may
    export: accounts.models.RIGHTS)."""
    require_right(user, Right.EXPORT)
    parties = search_parties(user, **(filters or {})) if filters else visible_parties(user)
    if kind == "parties":
        keys = list(CustomField.objects.order_by("position", "key").values_list("key", flat=True))
        rows = _parties_for_export(parties).iterator(chunk_size=CHUNK)
        if fmt == NDJSON:
            return [], (party_record(p) for p in rows)
        return PARTY_COLUMNS + [f"custom.{k}" for k in keys], (party_row(p, keys) for p in rows)
    if kind == "orders":
        orders = _with_party(Order.objects.filter(party__in=parties))
        if fmt == NDJSON:
            rows_lines = orders.prefetch_related("lines").iterator(chunk_size=CHUNK)
            return [], (order_record(o) for o in rows_lines)
        return ORDER_COLUMNS, (order_row(o) for o in orders.iterator(chunk_size=CHUNK))
    if kind == "interactions":
        items = _with_party(Interaction.objects.filter(party__in=parties))
        return INTERACTION_COLUMNS, (interaction_row(i) for i in items.iterator(chunk_size=CHUNK))
    raise invalid(
        "kind",
        kind,
        code="export_kind_unknown",
        message=_("must be one of %(kinds)s"),
        kinds="parties, orders, interactions",
    )


class Echo:
    """A file-like object that hands back what is written, for streaming responses."""

    def write(self, value: str) -> str:
        return value


def csv_lines(columns: list[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The CSV text, a line at a time, with formula cells neutralised."""
    writer = csv.writer(Echo(), lineterminator="\r\n")
    yield writer.writerow([neutralise(c) for c in columns])
    for row in rows:
        yield writer.writerow([neutralise(_text(row.get(c))) for c in columns])


def ndjson_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False, default=_json_default) + "\n"


def write_export(
    kind: str,
    user: User,
    out: IO[str],
    *,
    fmt: str = CSV,
    filters: dict[str, Any] | None = None,
    on_row: Callable[[int], None] | None = None,
) -> int:
    """Write the export to `out`; returns the number of rows."""
    columns, rows = export_rows(kind, user, filters=filters, fmt=fmt)
    count = 0

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal count
        for row in rows:
            count += 1
            if on_row is not None and count % 10_000 == 0:
                on_row(count)
            yield row

    lines = csv_lines(columns, counted()) if fmt == CSV else ndjson_lines(counted())
    for line in lines:
        out.write(line)
    return count
