"""The party change log: what a party looked like, what changed, and the one writer of its rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection

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


def record_changes(
    lines: Sequence[tuple[int, str, str]] | str, *, actor: User | None, at: datetime
) -> None:
    """Add many lines to the change log at once (a bulk write's): each (party id, action,
    changes as JSON), or a SELECT of the columns party_id, action and changes. The bulk form of
    `record_change`, beside it so that this module stays the one writer of PartyChange."""
    table = connection.ops.quote_name(PartyChange._meta.db_table)
    when = connection.ops.adapt_datetimefield_value(at)
    changes = "CAST(changes AS jsonb)" if connection.vendor == "postgresql" else "changes"
    head = f"INSERT INTO {table} (party_id, actor_id, at, action, changes) "
    actor_id = actor.pk if actor is not None else None
    with connection.cursor() as cursor:
        if isinstance(lines, str):
            cursor.execute(
                f"{head} SELECT party_id, %s, %s, action, {changes} FROM ({lines}) AS l",  # noqa: S608  (the caller's constant SELECT)
                [actor_id, when],
            )
        elif lines:
            marker = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
            cursor.executemany(
                f"{head} VALUES (%s, %s, %s, %s, {marker})",
                [(pk, actor_id, when, action, text) for pk, action, text in lines],
            )


def state_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The change-log line of an update given as import data (PartyUpdate-shaped states of
    the changed fields), in the form `diff(snapshot(…), snapshot(…))` gives it."""
    return diff(_state_snapshot(before), _state_snapshot(after))


def _state_snapshot(state: dict[str, Any]) -> dict[str, Any]:
    from clientela.parties.services.identity import normalize_contact

    shown: dict[str, Any] = {}
    for name, value in state.items():
        if name == "roles":
            value = sorted(r["role"] for r in value)
        elif name == "contact_points":
            value = sorted(
                normalize_contact(p["kind"], p["value"], p.get("country") or None) for p in value
            )
        elif name == "key_dates":
            value = sorted(
                (f"{d['year']:04d}-" if d.get("year") else "--")
                + f"{d['month']:02d}-{d['day']:02d}"
                for d in value
            )
        elif name == "affiliations":
            value = sorted(a["organization_id"] for a in value)
        elif name == "tags":
            value = sorted(value)
        elif name == "external_id":
            value = value or None
        shown[name] = value
    return shown
