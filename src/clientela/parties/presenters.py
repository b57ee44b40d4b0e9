"""Plain-dict views of parties shared by the API and the pages (no queries of their own)."""

from __future__ import annotations

from typing import Any

from clientela.parties.models import ContactKind, Party


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"id": obj.pk, "name": str(obj)} if obj is not None else None


def _primary(party: Party, kind: str) -> str | None:
    points = [p for p in party.contact_points.all() if p.kind == kind]
    primary = next((p for p in points if p.is_primary), points[0] if points else None)
    return primary.value if primary else None


def party_summary(party: Party) -> dict[str, Any]:
    """A list row; needs roles, tags and contact_points prefetched."""
    return {
        "id": party.pk,
        "kind": party.kind,
        "display_name": party.display_name,
        "external_id": party.external_id,
        "owner": _ref(party.owner),
        "team": _ref(party.team),
        "roles": sorted({r.role for r in party.roles.all()}),
        "tags": sorted(t.name for t in party.tags.all()),
        "primary_email": _primary(party, ContactKind.EMAIL),
        "primary_phone": _primary(party, ContactKind.PHONE),
        "created_at": party.created_at,
        "updated_at": party.updated_at,
    }


def party_out(party: Party) -> dict[str, Any]:
    """The whole record; needs parties.services.with_details."""
    return {
        **{
            f: getattr(party, f)
            for f in (
                "id",
                "kind",
                "display_name",
                "given_name",
                "family_name",
                "organization_name",
                "external_id",
                "language",
                "timezone",
                "organization_level",
                "custom",
                "notes",
                "created_at",
                "updated_at",
            )
        },
        "owner": _ref(party.owner),
        "team": _ref(party.team),
        "parent": _ref(party.parent),
        "tags": sorted(t.name for t in party.tags.all()),
        "roles": list(party.roles.all()),
        "contact_points": list(party.contact_points.all()),
        "key_dates": list(party.key_dates.all()),
        "affiliations": [
            {
                "organization": _ref(a.organization),
                "title": a.title,
                "since": a.since,
                "until": a.until,
            }
            for a in party.affiliations.all()
        ],
    }
