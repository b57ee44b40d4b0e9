"""Access and portability: everything kept about one party, section by section, in batches.

Each section is one object (the profile, preferences, the purchase summary) or rows read in
batches of BATCH (`iterator(chunk_size=…)`: a server-side cursor on PostgreSQL, chunked reads
on SQLite; the lines of a batch of orders come with one IN list of at most BATCH ids). No
query binds more values than BATCH, whatever the party's size: the audit's party with 510,008
orders failed with "too many SQL variables" when every order id went into one IN list.
services.archive writes the sections out as they are read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Model, QuerySet

from clientela.commerce.models import OrderLine
from clientela.commerce.services import purchase_summary
from clientela.consent.models import ContactLog, PrivacyRequest
from clientela.consent.services.preferences import get_preferences
from clientela.consent.services.records import consent_history
from clientela.core.registries import EXPORT_SECTIONS
from clientela.interactions.services.attachments import attachment_listing
from clientela.parties.models import Party

# Rows read per query; SQLite binds at least 999 values on every build.
BATCH = 500
# A section: one object, or its rows (a list, or an iterator read in batches).
Section = dict[str, Any] | Iterable[dict[str, Any]]


def _batched(rows: QuerySet[Any, Any]) -> Iterator[dict[str, Any]]:
    """The rows of `.values()`, fetched BATCH at a time."""
    batches: Iterator[dict[str, Any]] = rows.iterator(chunk_size=BATCH)
    return batches


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


ORDER_FIELDS = ("external_id", "ordered_at", "status", "channel", "total", "currency")
LINE_FIELDS = ("sku", "product", "category", "quantity", "unit_price")


def _orders(party: Party) -> Iterator[dict[str, Any]]:
    """The party's orders, oldest first, each with its lines: BATCH orders per query, then
    their lines with one IN list of BATCH ids (plain rows: no model instances to build)."""
    rows = party.orders.order_by("ordered_at", "id").values_list("id", *ORDER_FIELDS)
    batch: list[tuple[Any, ...]] = []
    for row in rows.iterator(chunk_size=BATCH):
        batch.append(row)
        if len(batch) == BATCH:
            yield from _with_lines(batch)
            batch = []
    yield from _with_lines(batch)


def _with_lines(orders: list[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    found = OrderLine.objects.filter(order_id__in=[row[0] for row in orders]).order_by("id")
    for order_id, *values in found.values_list("order_id", *LINE_FIELDS):
        lines[order_id].append(dict(zip(LINE_FIELDS, values, strict=True)))
    for pk, *values in orders:
        yield {**dict(zip(ORDER_FIELDS, values, strict=True)), "lines": lines.get(pk, [])}


def _consents(party: Party) -> Iterator[dict[str, Any]]:
    """Each record with its proof: the wording and its hash, and who recorded it (a staff
    user, or nobody when the person acted themselves: source, IP address and browser)."""
    for r in consent_history(party).order_by("recorded_at", "id").iterator(chunk_size=BATCH):
        yield {
            "recorded_at": r.recorded_at,
            "purpose": r.purpose,
            "channel": r.channel,
            "status": r.status,
            "legal_basis": r.legal_basis,
            "source": r.source,
            "actor": str(r.actor) if r.actor else "",
            "wording": r.wording.text,
            "wording_sha256": r.wording.sha256,
            "wording_version": r.wording.version,
            "wording_language": r.wording.language,
            "ip_address": r.ip_address or "",
            "user_agent": r.user_agent,
            "note": r.note,
        }


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


def _other_tables(party: Party) -> Iterator[tuple[str, Section]]:
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

    covered: set[type[Model]] = {
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
    for relation in Party._meta.related_objects:
        model = relation.related_model
        if isinstance(model, str) or model in covered or relation.many_to_many:
            continue
        columns = [
            f.attname
            for f in model._meta.concrete_fields
            if "digest" not in f.attname and "token" not in f.attname
        ]
        rows = model._default_manager.filter(**{relation.field.name: party})
        name = f"{model._meta.app_label}_{model._meta.model_name}"
        yield name, _batched(rows.order_by("pk").values(*columns))


def sections(party: Party) -> Iterator[tuple[str, Section]]:
    """Every section of data about the party, in the export's order, read as it is written."""
    yield "profile", _profile(party)
    yield "roles", _batched(party.roles.order_by("pk").values("role", "since", "until"))
    points = party.contact_points.order_by("pk").values(
        "kind", "label", "value", "street", "locality", "region", "postal_code", "country"
    )
    yield "contact_points", _batched(points)
    dates = party.key_dates.order_by("pk").values("kind", "label", "year", "month", "day")
    yield "key_dates", _batched(dates)
    affiliations = party.affiliations.order_by("pk").values(
        "organization__display_name", "title", "since", "until"
    )
    yield "affiliations", _batched(affiliations)
    yield "orders", _orders(party)
    yield "purchase_summary", purchase_summary(party).model_dump()
    interactions = party.interactions.order_by("occurred_at", "id").values(
        "occurred_at", "channel", "direction", "subject", "notes", "outcome"
    )
    yield "interactions", _batched(interactions)
    # The files themselves go into the zip export at each row's archive_path (archive.py).
    yield "interaction_attachments", attachment_listing(party)
    yield "consents", _consents(party)
    yield "preferences", _preferences(party)
    sent = ContactLog.objects.filter(party=party).order_by("at", "id")
    yield "contacts_sent", _batched(sent.values("at", "purpose", "channel", "reference"))
    requests = PrivacyRequest.objects.filter(party=party).order_by("received_at", "id")
    yield (
        "privacy_requests",
        _batched(requests.values("kind", "status", "received_at", "due_at", "completed_at")),
    )
    changes = party.changes.order_by("at", "id").values("at", "action", "changes")
    yield "changes", _batched(changes)
    for name, section in sorted(EXPORT_SECTIONS.items()):
        yield name, section(party)
    yield from _other_tables(party)
