"""The rows of other features that point at a merged party: kept in the merge's snapshot,
then moved to the survivor.

Found generically, by walking every relation to Party, so tables added by later features
(feedback, sales, …) move too without this module knowing them. The parties app moves its
own tables (parties.services.merging); this module moves everything else.
"""

from __future__ import annotations

import json
from typing import Any

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder

from clientela.parties.models import Party
from clientela.parties.services.merging import move_rows, party_relations

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
    data = serializers.serialize("python", rows)
    result: list[dict[str, Any]] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return result


def move_related(survivor: Party, other: Party) -> dict[str, int]:
    """Point every row of other features' tables at the survivor; how many of each moved.

    Their content is untouched; only which party they belong to changes, and the snapshot
    records where each row was before.
    """
    moved: dict[str, int] = {}
    for model, fk in party_relations():
        label = model._meta.label_lower
        if model._meta.app_label == Party._meta.app_label or label in STAYS:
            continue  # the parties app moved its own rows
        if count := move_rows(model, fk, other, survivor):
            moved[f"{label}.{fk.name}"] = count
    return moved
