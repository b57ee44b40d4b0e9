"""The rows of other features that point at a merged party: kept in the merge's snapshot,
then moved to the survivor.

Found generically, by walking every relation to Party, so tables added by later features
(feedback, sales, …) move too without this module knowing them. The parties app moves its
own tables (parties.services.merging); this module moves everything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from clientela.parties.models import Party
from clientela.parties.services.merging import Dropped, move_rows, party_relations
from clientela.parties.services.unmerging import restore_rows, rows_as_json

# Rows that stay with the merged party: the scan's pairs, which the merge settles itself.
# Merge records move, so a chain of merges stays with its end.
STAYS = frozenset({"dedupe.duplicatecandidate"})
NOT_IN_SNAPSHOT = frozenset({"dedupe.duplicatecandidate", "dedupe.mergerecord"})


def full_record(party: Party) -> dict[str, Any]:
    """The party's fields and every row that points at it, as JSON: the merge's snapshot."""
    related: dict[str, list[dict[str, Any]]] = {}
    for model, fk in party_relations():
        label = model._meta.label_lower
        if label in NOT_IN_SNAPSHOT:
            continue
        rows = model._base_manager.filter(**{fk.name: party}).order_by("pk")
        if data := _as_json(rows):
            related[f"{label}.{fk.name}"] = data
    return {
        "party": _as_json([party])[0],
        "tags": sorted(party.tags.values_list("name", flat=True)),
        "related": related,
    }


def _as_json(rows: Any) -> list[dict[str, Any]]:
    return rows_as_json(rows)


def move_related(survivor: Party, other: Party, dropped: Dropped | None = None) -> dict[str, int]:
    """Point every row of other features' tables at the survivor; how many of each moved.

    Their content is untouched; only which party they belong to changes, and the snapshot
    records where each row was before.
    """
    moved: dict[str, int] = {}
    for model, fk in party_relations():
        label = model._meta.label_lower
        if model._meta.app_label == Party._meta.app_label or label in STAYS:
            continue  # the parties app moved its own rows
        if count := move_rows(model, fk, other, survivor, dropped):
            moved[f"{label}.{fk.name}"] = count
    return moved


def move_back_related(
    survivor: Party, other: Party, snapshot: Mapping[str, Any], dropped: Dropped
) -> dict[str, int]:
    """Undo `move_related`: the rows listed in the snapshot that are still the survivor's go
    back to the other party unchanged but for their owner, and those the merge dropped (a
    one-to-one row, a list membership the survivor had too) are made again. Rows the survivor
    gained after the merge stay with it. How many of each came back."""
    back: dict[str, int] = {}
    for model, fk in party_relations():
        label, key = model._meta.label_lower, f"{model._meta.label_lower}.{fk.name}"
        if model._meta.app_label == Party._meta.app_label or label in NOT_IN_SNAPSHOT:
            continue
        rows = snapshot["related"].get(key, [])
        count = restore_rows(
            model,
            fk,
            rows,
            survivor=survivor,
            other=other,
            dropped=dropped.get(key, []),
            whole=False,
        )
        if count:
            back[key] = count
    return back
