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


# The scalar fields of PartyOut, in its order.
RECORD_FIELDS = (
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


def party_out(party: Party) -> dict[str, Any]:
    """The whole record; needs parties.services.with_details."""
    return {
        **{f: getattr(party, f) for f in RECORD_FIELDS},
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


CONTACT_POINT_FIELDS = (
    "id",
    "kind",
    "label",
    "value",
    "normalized",
    "is_primary",
    "street",
    "locality",
    "region",
    "postal_code",
    "country",
)


def _named(pk: int | None, *names: str | None) -> dict[str, Any] | None:
    """A Ref from an id and the str() of the object: its first non-empty name."""
    if pk is None:
        return None
    return {"id": pk, "name": next((n for n in names if n), "")}


def party_record(
    row: tuple[Any, ...],
    *,
    tags: list[tuple[Any, ...]],
    roles: list[tuple[Any, ...]],
    points: list[tuple[Any, ...]],
    dates: list[tuple[Any, ...]],
    affiliations: list[tuple[Any, ...]],
) -> dict[str, Any]:
    """party_out's dict from the rows parties.services.party_record reads."""
    (
        pk,
        kind,
        display_name,
        given_name,
        family_name,
        organization_name,
        external_id,
        language,
        timezone,
        organization_level,
        custom,
        notes,
        created_at,
        updated_at,
        owner_id,
        owner_name,
        owner_email,
        team_id,
        team_name,
        parent_id,
        parent_name,
    ) = row
    return {
        "id": pk,
        "kind": kind,
        "display_name": display_name,
        "given_name": given_name,
        "family_name": family_name,
        "organization_name": organization_name,
        "external_id": external_id,
        "language": language,
        "timezone": timezone,
        "organization_level": organization_level,
        "custom": custom,
        "notes": notes,
        "created_at": created_at,
        "updated_at": updated_at,
        "owner": _named(owner_id, owner_name, owner_email),  # str(user): full name, else e-mail
        "team": _named(team_id, team_name),
        "parent": _named(parent_id, parent_name),
        "tags": sorted(name for (name,) in tags),
        "roles": [{"role": r, "since": since, "until": until} for r, since, until in roles],
        "contact_points": [dict(zip(CONTACT_POINT_FIELDS, p, strict=True)) for p in points],
        "key_dates": [
            {"kind": k, "label": label, "year": year, "month": month, "day": day}
            for k, label, year, month, day in dates
        ],
        "affiliations": [
            {
                "organization": _named(org_id, org_name),
                "title": title,
                "since": since,
                "until": until,
            }
            for org_id, org_name, title, since, until in affiliations
        ],
    }


def party_header(party: Party) -> dict[str, Any]:
    """What the customer page's header shows besides the name: the primary (else the first)
    e-mail and phone, and the organizations the party belongs to, by name.

    Reads the party as `queries.with_details` loaded it (no query of its own).
    """
    points = list(party.contact_points.all())  # primary first (ContactPoint.Meta.ordering)
    email = next((c for c in points if c.kind == ContactKind.EMAIL), None)
    phone = next((c for c in points if c.kind == ContactKind.PHONE), None)
    if party.is_person:
        organizations = [(a.organization_id, str(a.organization)) for a in party.affiliations.all()]
    elif party.parent_id is not None:
        organizations = [(party.parent_id, str(party.parent))]
    else:
        organizations = []
    return {
        "email": email,
        "phone": phone,
        "organizations": [{"id": pk, "name": name} for pk, name in organizations],
    }
