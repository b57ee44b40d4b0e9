"""Undoing a merge, the parties app's part: its own tables back as they were before the merge.

The dedupe app decides whether a merge may be undone (its age, later edits) and keeps the
snapshot; this module writes the parties tables from it: the merged party live again with its
fields, external id, contact points, roles, key dates, affiliations, aliases, tags and child
organizations; the survivor's fields back to what they were, except the fields edited since
the merge (`field_conflicts` finds those the merge had changed too: the dedupe app refuses
then); the survivor's roles, affiliations and key dates that the merge completed (a period, a
title, a year) back to their own values; and a line in each party's change log.

Rows are recognised by id: those of the merged party that still belong to the survivor go
back; those the merge dropped as doubles are made again from the snapshot; rows added to the
survivor after the merge stay with it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from clientela.accounts.models import User
from clientela.parties.models import Party, PartyAlias, Tag
from clientela.parties.services import display_name, record_change, refresh_search_text
from clientela.parties.services.merging import (
    CUSTOM,
    MERGE_FIELDS,
    Dropped,
    field_value,
    party_relations,
)

# The parties tables whose rows an unmerge restores whole (fields and owner). The change log
# stays as written; tags are restored by name; child organizations only change parent.
RESTORED_WHOLE = frozenset(
    {
        "parties.contactpoint",
        "parties.partyrole",
        "parties.affiliation",
        "parties.keydate",
        "parties.partyalias",
    }
)
# The survivor's own rows a merge may complete from the other's: restored to their values.
COMPLETED = frozenset({"parties.partyrole", "parties.affiliation", "parties.keydate"})
NOT_RESTORED = frozenset({"parties.partychange", "parties.party_tags"})


def rows_as_json(rows: Iterable[models.Model]) -> list[dict[str, Any]]:
    """Rows in Django's serialised form, as plain JSON (dates as strings)."""
    data = serializers.serialize("python", rows)
    result: list[dict[str, Any]] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return result


def field_state(party: Party) -> dict[str, Any]:
    """The merge fields' values, custom ones as "custom.<key>", as plain JSON values."""
    state = {name: field_value(party, name) for name in MERGE_FIELDS}
    state.update({f"{CUSTOM}{key}": value for key, value in party.custom.items()})
    result: dict[str, Any] = json.loads(json.dumps(state, cls=DjangoJSONEncoder))
    return result


def parties_record(party: Party) -> dict[str, Any]:
    """What an unmerge needs of the survivor as it was: its fields, tags and own rows."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for model, fk in party_relations():
        label = model._meta.label_lower
        if label in RESTORED_WHOLE:
            found = model._base_manager.filter(**{fk.name: party}).order_by("pk")
            if data := rows_as_json(found):
                rows[f"{label}.{fk.name}"] = data
    return {
        "fields": field_state(party),
        "tags": sorted(party.tags.values_list("name", flat=True)),
        "rows": rows,
    }


def field_conflicts(
    survivor: Party, before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[str]:
    """The fields that the merge changed and that were edited again since: an unmerge cannot
    both give them their old value and keep the edit."""
    now = field_state(survivor)
    names = sorted(set(before) | set(after) | set(now))
    return [
        name
        for name in names
        if now.get(name) != after.get(name) and before.get(name) != after.get(name)
    ]


def restore_rows(
    model: type[models.Model],
    fk: models.ForeignKey[Any, Any],
    rows: list[dict[str, Any]],
    *,
    survivor: Party,
    other: Party,
    dropped: Iterable[int],
    whole: bool,
) -> int:
    """Give `other` back its rows of `model` listed in the snapshot: those still on the
    survivor move back (`whole`: with every field as it was, else only the owner changes),
    those the merge dropped are made again. How many rows came back."""
    by_pk = {row["pk"]: row for row in rows}
    on_survivor = set(
        model._base_manager.filter(pk__in=list(by_pk), **{fk.name: survivor}).values_list(
            "pk", flat=True
        )
    )
    existing = set(model._base_manager.filter(pk__in=list(by_pk)).values_list("pk", flat=True))
    remake = [pk for pk in dropped if pk in by_pk and pk not in existing]
    if not whole:
        model._base_manager.filter(pk__in=on_survivor).update(**{fk.name: other})
    _save_raw([by_pk[pk] for pk in sorted(on_survivor) if whole] + [by_pk[pk] for pk in remake])
    return len(on_survivor) + len(remake)


def _save_raw(rows: list[dict[str, Any]]) -> None:
    """Write serialised rows as they are (an update when the id exists, else an insert),
    without the models' own save(): the snapshot is the truth being restored."""
    for obj in serializers.deserialize("python", rows):
        obj.save()


def unmerge_from(
    survivor: Party,
    other: Party,
    *,
    snapshot: Mapping[str, Any],
    dropped: Dropped,
    by: User | None,
) -> dict[str, int]:
    """Write an unmerge into the parties tables; how many of the other's rows came back.

    The caller has checked `field_conflicts` and holds both rows locked in its transaction.
    """
    before: dict[str, Any] = snapshot["survivor"]["fields"]
    after: dict[str, Any] = snapshot["after"]
    mine: dict[str, Any] = snapshot["survivor"]
    refs = {snapshot["other_fields"].get("external_id"), before.get("external_id")} - {None, ""}
    # Aliases the merge made for the two external ids go before the ids are given back.
    kept = {row["pk"] for row in mine["rows"].get("parties.partyalias.party", [])}
    kept |= {row["pk"] for row in snapshot["related"].get("parties.partyalias.party", [])}
    PartyAlias.objects.filter(party=survivor, external_id__in=refs).exclude(pk__in=kept).delete()
    _put_fields(survivor, _survivor_values(survivor, before, after))
    survivor.save()
    _put_fields(other, snapshot["other_fields"])
    other.archived_at = None
    other.save()
    came_back: dict[str, int] = {}
    for model, fk in party_relations():
        label, key = model._meta.label_lower, f"{model._meta.label_lower}.{fk.name}"
        if model._meta.app_label != Party._meta.app_label or label in NOT_RESTORED:
            continue
        count = restore_rows(
            model,
            fk,
            snapshot["related"].get(key, []),
            survivor=survivor,
            other=other,
            dropped=dropped.get(key, []),
            whole=label in RESTORED_WHOLE,
        )
        if count:
            came_back[key] = count
        if label in COMPLETED:
            _restore_completed(model, mine["rows"].get(key, []))
    _restore_tags(survivor, other, snapshot)
    for party in (survivor, other):
        refresh_search_text(party)
    record_change(survivor, actor=by, action="unmerged", changes={"unmerged": [other.pk, None]})
    record_change(other, actor=by, action="unmerged", changes={"merged_into": [survivor.pk, None]})
    return came_back


def _survivor_values(
    survivor: Party, before: Mapping[str, Any], after: Mapping[str, Any]
) -> dict[str, Any]:
    """Each field's value before the merge, unless it was edited since (then the edit)."""
    now = field_state(survivor)
    values = dict(now)
    for name in set(before) | set(after) | set(now):
        if now.get(name) == after.get(name):
            values[name] = before.get(name)
    return values


def _put_fields(party: Party, values: Mapping[str, Any]) -> None:
    custom = {}
    for name, value in values.items():
        if name.startswith(CUSTOM):
            if value is not None:
                custom[name.removeprefix(CUSTOM)] = value
        elif name in MERGE_FIELDS:
            setattr(party, name, value)
    party.custom = custom
    party.display_name = display_name(party)


def _restore_completed(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """The survivor's rows that the merge completed get their own values back."""
    pks = [row["pk"] for row in rows]
    existing = set(model._base_manager.filter(pk__in=pks).values_list("pk", flat=True))
    _save_raw([row for row in rows if row["pk"] in existing])


def _restore_tags(survivor: Party, other: Party, snapshot: Mapping[str, Any]) -> None:
    """The other party gets its tags back; the survivor loses those it had only from it."""
    theirs = set(snapshot["tags"])
    mine = set(snapshot["survivor"]["tags"])
    other.tags.set(Tag.objects.filter(name__in=theirs))
    survivor.tags.remove(*Tag.objects.filter(name__in=theirs - mine))
