"""Merging two parties into one, keeping every row of history and the merged record itself.

Everything that points at the merged party moves to the survivor: found generically, by
walking every relation to Party (Party._meta), so tables added by later features (consent,
feedback, …) move too without this module knowing them. Uniqueness is the only thing that
needs care: a row that would clash with one the survivor already has (the same contact
point, the same tag, a one-to-one row such as preferences) stays out and is kept in the
snapshot instead. The merged party is archived, not deleted: it leaves every list and
search, its pages answer 404, and its id stays reserved for the audit trail.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from clientela.accounts.models import User
from clientela.accounts.services import require_write
from clientela.core.errors import FieldError, Invalid, NotFound, invalid
from clientela.dedupe.models import CandidateStatus, DuplicateCandidate, MergeRecord
from clientela.parties.models import ContactPoint, Party, PartyChange
from clientela.parties.queries import visible_parties
from clientela.parties.services import display_name, refresh_search_text, snapshot

SURVIVOR, OTHER = "survivor", "other"
# The fields a user chooses between; custom fields are chosen as "custom.<key>".
MERGE_FIELDS = (
    "given_name",
    "family_name",
    "organization_name",
    "external_id",
    "language",
    "timezone",
    "organization_level",
    "owner_id",
    "team_id",
    "parent_id",
    "notes",
)
# Foreign keys among them: pages show the related row, not its id. (external_id is not one.)
RELATIONS = frozenset({"owner_id", "team_id", "parent_id"})
ASSIGNING = frozenset({"owner_id", "team_id"})
# Rows that stay with the merged party: its own change log, and the scan's pairs (which the
# merge settles itself). Merge records move, so a chain of merges stays with its end.
STAYS = frozenset({"parties.partychange", "dedupe.duplicatecandidate"})
NOT_IN_SNAPSHOT = frozenset({"dedupe.duplicatecandidate", "dedupe.mergerecord"})


EMPTY = (None, "")


@dataclass(frozen=True)
class FieldChoice:
    """One field on which two parties differ: its name, label and each party's value as
    shown (related rows as objects, so pages print their names)."""

    name: str
    label: str
    a_value: Any
    b_value: Any


def party_relations() -> list[tuple[type[models.Model], models.ForeignKey[Any, Any]]]:
    """Every (model, foreign key) that points at Party, hidden ones and m2m tables included."""
    found: list[tuple[type[models.Model], models.ForeignKey[Any, Any]]] = []
    # include_hidden reaches the tables Django made for many-to-many fields (party tags).
    for rel in Party._meta.get_fields(include_hidden=True):
        model = getattr(rel, "related_model", None)
        field = getattr(rel, "field", None)
        is_reverse = rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)
        if is_reverse and isinstance(model, type) and isinstance(field, models.ForeignKey):
            found.append((model, field))
    return found


def party_record(party: Party) -> dict[str, Any]:
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


def differing_fields(a: Party, b: Party) -> list[FieldChoice]:
    """The fields, custom ones included, on which the two parties differ."""
    result = []
    for name in MERGE_FIELDS:
        va, vb = getattr(a, name), getattr(b, name)
        if va == vb or (va in EMPTY and vb in EMPTY):
            continue
        field = name.removesuffix("_id") if name in RELATIONS else name
        label = str(Party._meta.get_field(field).verbose_name)  # type: ignore[union-attr]  # concrete fields only
        if name in RELATIONS:  # owner, team, parent: show the row, not its id
            va, vb = getattr(a, field), getattr(b, field)
        result.append(FieldChoice(name, label, va, vb))
    for key in sorted(set(a.custom) | set(b.custom)):
        va, vb = a.custom.get(key), b.custom.get(key)
        if va != vb:
            result.append(FieldChoice(f"custom.{key}", key, va, vb))
    return result


def merge_parties(
    survivor: Party,
    other: Party,
    *,
    choices: Mapping[str, str] | None = None,
    by: User | None,
) -> MergeRecord:
    """Merge `other` into `survivor`; `choices` maps a field to "survivor" or "other".

    Unchosen fields keep the survivor's value, or take the other's when the survivor has
    none (notes are joined). Everything of the other party moves to the survivor; the other
    party is archived and its full record kept in the MergeRecord. `by` None means the
    system (the CLI without --as). The adapter wraps this in a transaction.
    """
    _check_access(survivor, other, by)
    picks = _check_choices(survivor, other, dict(choices or {}), by)
    survivor, other = _locked(survivor, other)
    before = snapshot(survivor)
    record = party_record(other)
    decided = _take_fields(survivor, other, picks)
    moved = _move_related(survivor, other)
    refresh_search_text(survivor)
    now = timezone.now()
    pair = sorted((survivor.pk, other.pk))
    DuplicateCandidate.objects.filter(party_a_id=pair[0], party_b_id=pair[1]).update(
        status=CandidateStatus.MERGED, decided_at=now, decided_by=by
    )
    DuplicateCandidate.objects.filter(
        Q(party_a=other) | Q(party_b=other), status=CandidateStatus.OPEN
    ).delete()
    changes: dict[str, Any] = {
        k: [before.get(k), v] for k, v in snapshot(survivor).items() if before.get(k) != v
    }
    PartyChange.objects.create(
        party=survivor, actor=by, action="merged", changes={**changes, "merged": [None, other.pk]}
    )
    PartyChange.objects.create(
        party=other, actor=by, action="merged_into", changes={"merged_into": [None, survivor.pk]}
    )
    return MergeRecord.objects.create(
        survivor=survivor,
        merged_party_id=other.pk,
        merged_name=other.display_name,
        snapshot=record,
        choices=decided,
        moved=moved,
        by=by,
        at=now,
    )


def _check_access(survivor: Party, other: Party, by: User | None) -> None:
    if by is not None:
        require_write(by)
    live = visible_parties(by) if by is not None else Party.objects.filter(archived_at=None)
    found = set(live.filter(pk__in=[survivor.pk, other.pk]).values_list("pk", flat=True))
    for party in (survivor, other):
        if party.pk not in found:
            raise NotFound(f"party {party.pk} not found")
    if survivor.pk == other.pk:
        raise invalid("other_id", other.pk, "is the party itself")
    if survivor.kind != other.kind:
        raise invalid(
            "other_id", other.pk, f"is a {other.kind}; only parties of the same kind merge"
        )


def _check_choices(
    survivor: Party, other: Party, choices: dict[str, str], by: User | None
) -> dict[str, str]:
    errors = []
    custom_keys = set(survivor.custom) | set(other.custom)
    for name, pick in choices.items():
        where = f"choices.{name}"
        is_custom = name.startswith("custom.") and name.removeprefix("custom.") in custom_keys
        if name not in MERGE_FIELDS and not is_custom:
            errors.append(FieldError(where, name, "is not a field to choose"))
        elif pick not in (SURVIVOR, OTHER):
            errors.append(FieldError(where, pick, "must be survivor or other"))
        elif (
            name in ASSIGNING
            and pick == OTHER
            and getattr(survivor, name) != getattr(other, name)
            and by is not None
            and not by.can_assign
        ):
            errors.append(FieldError(where, pick, "only managers and admins may assign it"))
        elif name == "parent_id" and pick == OTHER and _would_loop(survivor, other.parent_id):
            errors.append(FieldError(where, pick, "would make a loop in the hierarchy"))
    if errors:
        raise Invalid(errors)
    return choices


def _would_loop(survivor: Party, parent_id: int | None) -> bool:
    seen: set[int] = set()
    while parent_id is not None and parent_id not in seen:
        if parent_id == survivor.pk:
            return True
        seen.add(parent_id)
        parent_id = Party.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
    return False


def _locked(survivor: Party, other: Party) -> tuple[Party, Party]:
    """Both rows re-read under a lock (PostgreSQL), so a concurrent change is not lost."""
    locked = Party.objects.select_for_update().filter(pk__in=[survivor.pk, other.pk])
    rows = {p.pk: p for p in locked}
    return rows[survivor.pk], rows[other.pk]


def _take_fields(survivor: Party, other: Party, picks: dict[str, str]) -> dict[str, str]:
    decided: dict[str, str] = {}
    custom = {**other.custom, **survivor.custom}
    for choice in differing_fields(survivor, other):
        name = choice.name
        mine = (
            survivor.custom.get(name[7:]) if name.startswith("custom.") else getattr(survivor, name)
        )
        pick = picks.get(name, OTHER if mine in EMPTY else SURVIVOR)
        decided[name] = pick
        if name == "notes" and name not in picks and survivor.notes and other.notes:
            survivor.notes = f"{survivor.notes}\n\n{other.notes}"
            decided[name] = "both"
        elif name.startswith("custom."):
            key = name.removeprefix("custom.")
            if pick == OTHER and key in other.custom:
                custom[key] = other.custom[key]
            elif pick == OTHER:
                custom.pop(key, None)
        elif pick == OTHER:
            setattr(survivor, name, getattr(other, name))
    survivor.custom = custom
    if survivor.parent_id == other.pk:  # the survivor was the other's child
        survivor.parent_id = other.parent_id if other.parent_id != survivor.pk else None
    other.archived_at = timezone.now()
    if decided.get("external_id") == OTHER:
        other.external_id = None  # free the unique id before the survivor takes it
    other.save(update_fields=["archived_at", "external_id", "updated_at"])
    survivor.display_name = display_name(survivor)
    survivor.save()
    return decided


def _move_related(survivor: Party, other: Party) -> dict[str, int]:
    """Point every row of `other` at `survivor`; returns how many rows of each table moved.

    Rows move with queryset.update(), which does not call Model.save(): that is how
    append-only rows (interactions, consent records) change owner without being rewritten.
    Their content is untouched; only which party they belong to changes, and the snapshot
    records where each row was before.
    """
    moved: dict[str, int] = {}
    moved["parties.contactpoint"] = _move_contact_points(survivor, other)
    for model, fk in party_relations():
        label = model._meta.label_lower
        if label in STAYS:
            continue
        rows = model._base_manager.filter(**{fk.name: other})
        if _is_unique_with(model, fk):
            count = _move_one_by_one(rows, fk, survivor)
        else:
            count = rows.update(**{fk.name: survivor})
        if count:
            key = f"{label}.{fk.name}" if label != "parties.contactpoint" else label
            moved[key] = moved.get(key, 0) + count
    return {k: v for k, v in moved.items() if v}


def _move_contact_points(survivor: Party, other: Party) -> int:
    """Move contact points not already on the survivor (same normalised value); the
    survivor's primary of each kind stays primary."""
    have = set(survivor.contact_points.values_list("kind", "normalized"))
    primary = set(survivor.contact_points.filter(is_primary=True).values_list("kind", flat=True))
    count = 0
    for point in ContactPoint.objects.filter(party=other).order_by("-is_primary", "pk"):
        if (point.kind, point.normalized) in have:
            continue  # a duplicate of one the survivor has: kept in the snapshot only
        is_primary = point.is_primary and point.kind not in primary
        ContactPoint.objects.filter(pk=point.pk).update(party=survivor, is_primary=is_primary)
        have.add((point.kind, point.normalized))
        if is_primary:
            primary.add(point.kind)
        count += 1
    return count


def _is_unique_with(model: type[models.Model], fk: models.Field[Any, Any]) -> bool:
    """Whether some uniqueness rule of `model` includes this foreign key."""
    if fk.unique:
        return True
    opts = model._meta
    if any(fk.name in group for group in opts.unique_together):
        return True
    return any(
        isinstance(c, models.UniqueConstraint) and fk.name in c.fields for c in opts.constraints
    )


def _move_one_by_one(rows: Any, fk: models.Field[Any, Any], survivor: Party) -> int:
    """Move rows that uniqueness may forbid: a clashing row stays behind, in the snapshot."""
    count = 0
    for pk in list(rows.values_list("pk", flat=True)):
        one = rows.model._base_manager.filter(pk=pk)
        try:
            with transaction.atomic():
                count += one.update(**{fk.name: survivor})
        except IntegrityError:
            try:
                with transaction.atomic():
                    one.delete()
            except ProtectedError:
                continue  # still referenced elsewhere: it stays with the archived party
    return count
