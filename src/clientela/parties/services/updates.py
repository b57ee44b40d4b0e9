"""A party given a state already checked and merged (an import's update, or the taking back of
one): its fields set and its lists replaced, as update_party saves them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.utils import timezone

from clientela.parties.models import Affiliation, KeyDate, Party, PartyRole, Tag
from clientela.parties.services.changes import SCALAR_FIELDS
from clientela.parties.services.contacts import replace_contact_points
from clientela.parties.services.names import display_name, refresh_search_text
from clientela.parties.services.tags import tag_key, tags_named

_POINT_KEYS = (
    "kind",
    "value",
    "label",
    "is_primary",
    "street",
    "locality",
    "region",
    "postal_code",
    "country",
)


def apply_state(party_id: int, state: dict[str, Any]) -> None:
    """Set the fields in `state` (PartyUpdate-shaped, as import data holds it: see
    imports' party_state) on the party; each list given replaces the whole list."""
    party = Party.objects.get(pk=party_id)
    for name in (*SCALAR_FIELDS, "owner_id", "team_id"):
        if name in state:
            value = state[name]
            setattr(party, name, (value or None) if name == "external_id" else value)
    for name in SCALAR_FIELDS:
        if getattr(party, name) is None and name != "external_id":
            setattr(party, name, "")
    if "custom" in state:
        party.custom = state["custom"]
    party.display_name = display_name(party)
    party.save()
    if "tags" in state:
        party.tags.set(tags_named(state["tags"]))
    if "roles" in state:
        party.roles.all().delete()
        PartyRole.objects.bulk_create(
            PartyRole(party=party, role=r["role"], since=r.get("since"), until=r.get("until"))
            for r in state["roles"]
        )
    if "contact_points" in state:
        points = [{k: p[k] for k in _POINT_KEYS if k in p} for p in state["contact_points"]]
        replace_contact_points(party, points)
    if "key_dates" in state:
        party.key_dates.all().delete()
        KeyDate.objects.bulk_create(KeyDate(party=party, **d) for d in state["key_dates"])
    if "affiliations" in state:
        party.affiliations.all().delete()
        Affiliation.objects.bulk_create(
            Affiliation(person=party, **a) for a in state["affiliations"]
        )
    refresh_search_text(party)


# Fields whose change touches no other column (names and contact points change the display
# name and the search text too): such states are written many at a time.
PLAIN = frozenset(
    {"language", "timezone", "notes", "external_id", "organization_level", "owner_id", "team_id"}
)


def apply_states(states: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """`apply_state` for many parties: those whose state holds only plain fields, custom
    fields and tags with a few statements; the others one at a time."""
    plain = [(pk, st) for pk, st in states if set(st) <= PLAIN | {"custom", "tags"}]
    for pk, state in states:
        if not set(state) <= PLAIN | {"custom", "tags"}:
            apply_state(pk, state)
    if not plain:
        return
    quote = connection.ops.quote_name
    table = quote(Party._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for pk, state in plain:
        names = tuple(sorted(n for n in state if n != "tags"))
        values = [_column_value(n, state[n]) for n in names]
        groups.setdefault(names, []).append((*values, now, pk))
    with connection.cursor() as cursor:
        for names, rows in groups.items():
            sets = ", ".join(f"{quote(n)} = {_placeholder(n)}" for n in (*names, "updated_at"))
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE id = %s", rows)  # noqa: S608  (names from the model)
        tagged = [(pk, st["tags"]) for pk, st in plain if "tags" in st]
        if tagged:
            _replace_tags(cursor, tagged)


def _column_value(name: str, value: Any) -> Any:
    if name == "custom":
        return json.dumps(value)
    if name == "external_id":
        return value or None
    return "" if value is None and name not in {"owner_id", "team_id"} else value


def _placeholder(name: str) -> str:
    return "CAST(%s AS jsonb)" if name == "custom" and connection.vendor == "postgresql" else "%s"


def _replace_tags(cursor: Any, tagged: list[tuple[int, list[str]]]) -> None:
    """Each party's tags replaced; a name is found by its folded key ("VIP" is the tag "vip")."""
    quote = connection.ops.quote_name
    tags, links = quote(Tag._meta.db_table), quote(Party.tags.through._meta.db_table)
    spelled: dict[str, str] = {}
    for _pk, wanted in tagged:
        for name in wanted:
            spelled.setdefault(tag_key(name), name)
    cursor.executemany(
        f"INSERT INTO {tags} (name, {quote('key')}) VALUES (%s, %s) "  # noqa: S608  (names from the model)
        f"ON CONFLICT ({quote('key')}) DO NOTHING",
        [(name, key) for key, name in sorted(spelled.items())],
    )
    cursor.executemany(f"DELETE FROM {links} WHERE party_id = %s", [(pk,) for pk, _w in tagged])  # noqa: S608  (names from the model)
    cursor.executemany(
        f"INSERT INTO {links} (party_id, tag_id) SELECT %s, id FROM {tags} "  # noqa: S608  (names from the model)
        f"WHERE {quote('key')} = %s",
        sorted({(pk, tag_key(name)) for pk, wanted in tagged for name in wanted}),
    )
