"""The party change log: what a party looked like, what changed, and the one writer of its rows."""

from __future__ import annotations

from typing import Any

from clientela.accounts.models import User
from clientela.parties.models import Party, PartyChange

# The fields a write sets from its schema, and what the change log records of them.
SCALAR_FIELDS = (
    "given_name",
    "family_name",
    "organization_name",
    "external_id",
    "language",
    "timezone",
    "organization_level",
    "notes",
)
RELATION_FIELDS = ("owner_id", "team_id", "parent_id")
LIST_FIELDS = ("tags", "custom", "roles", "contact_points", "key_dates", "affiliations")
_EMPTY: tuple[Any, ...] = (None, "", [], {})


def snapshot(party: Party) -> dict[str, Any]:
    """The party's fields as plain JSON values, for the change log."""
    data: dict[str, Any] = {
        name: getattr(party, name) for name in (*SCALAR_FIELDS, *RELATION_FIELDS)
    }
    data["archived"] = party.archived_at is not None
    if party.pk:
        data["custom"] = party.custom
        data["tags"] = sorted(party.tags.values_list("name", flat=True))
        data["roles"] = sorted(party.roles.values_list("role", flat=True))
        data["contact_points"] = sorted(party.contact_points.values_list("normalized", flat=True))
        data["key_dates"] = sorted(str(k) for k in party.key_dates.all())
        data["affiliations"] = sorted(party.affiliations.values_list("organization_id", flat=True))
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Each field whose value differs, as [before, after]; empty to empty is no change."""
    return {
        key: [before.get(key), value]
        for key, value in after.items()
        if before.get(key) != value and not (before.get(key) in _EMPTY and value in _EMPTY)
    }


def record_change(
    party: Party, *, actor: User | None, action: str, changes: dict[str, Any] | None = None
) -> PartyChange:
    """Add a line to the party's change log: the one writer of PartyChange rows."""
    return PartyChange.objects.create(
        party=party, actor=actor, action=action, changes=changes or {}
    )
