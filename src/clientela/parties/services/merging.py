"""Merging two parties, the parties app's part: its own tables, as the dedupe app decides.

The dedupe app decides which party survives and which value of each field it keeps; this
module writes what was decided into the parties tables, their one door: the survivor's
fields, the merged party archived (its external id, when the survivor keeps another, becoming
an alias of the survivor: PartyAlias), its contact points, roles, key dates, affiliations, tags
and child organizations moved to the survivor, and a line in each party's change log.
Rows of other features' tables are moved by the dedupe app (see dedupe.services.related).

Nothing is doubled: a contact point with the same normalised value, a role the survivor already
holds, an affiliation with the same organization and a key date on the same day are combined
into the survivor's row (its empty title, year or period filled from the other's) and the
other's row is dropped; every dropped row's id is kept (`dropped`) so that an unmerge
(parties.services.unmerging) can bring it back from the merge's snapshot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from clientela.accounts.models import User
from clientela.parties.models import (
    Affiliation,
    ContactPoint,
    KeyDate,
    Party,
    PartyAlias,
    PartyRole,
)
from clientela.parties.services import display_name, record_change, refresh_search_text, snapshot

# Whose value a field takes: the survivor's, the other party's, or (notes only) both joined.
SURVIVOR, OTHER, BOTH = "survivor", "other", "both"
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
CUSTOM = "custom."
EMPTY = (None, "")
# The merged party's own change log stays with it; contact points move by their own rule.
STAYS = frozenset({"parties.partychange", "parties.contactpoint"})
# Ids of the rows a merge dropped because the survivor already had their like, per
# "app.model.fk" (the snapshot's keys): an unmerge makes them again from the snapshot.
Dropped = dict[str, list[int]]


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


def field_value(party: Party, name: str) -> Any:
    """The party's value of a merge field, a custom one ("custom.<key>") included."""
    if name.startswith(CUSTOM):
        return party.custom.get(name.removeprefix(CUSTOM))
    return getattr(party, name)


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
            result.append(FieldChoice(f"{CUSTOM}{key}", key, va, vb))
    return result


def merge_into(
    survivor: Party,
    other: Party,
    *,
    decided: Mapping[str, str],
    by: User | None,
    dropped: Dropped | None = None,
) -> dict[str, int]:
    """Write a decided merge into the parties tables; returns how many rows of each moved.

    `decided` maps each differing field to SURVIVOR, OTHER or BOTH (notes). The other party
    is archived, not deleted: its id stays reserved for the audit trail. Both parties get a
    line in their change log. The caller holds both rows locked, inside its transaction.
    The ids of the other's rows dropped as doubles are added to `dropped`.
    """
    dropped = {} if dropped is None else dropped
    before = snapshot(survivor)
    _take_fields(survivor, other, decided)
    moved = {"parties.contactpoint": _move_contact_points(survivor, other, dropped)}
    _combine_doubles(survivor, other, dropped)
    for model, fk in party_relations():
        label = model._meta.label_lower
        if model._meta.app_label == Party._meta.app_label and label not in STAYS:
            moved[f"{label}.{fk.name}"] = move_rows(model, fk, other, survivor, dropped)
    refresh_search_text(survivor)
    after = snapshot(survivor)
    changes: dict[str, Any] = {
        k: [before.get(k), v] for k, v in after.items() if before.get(k) != v
    }
    record_change(
        survivor, actor=by, action="merged", changes={**changes, "merged": [None, other.pk]}
    )
    record_change(
        other, actor=by, action="merged_into", changes={"merged_into": [None, survivor.pk]}
    )
    return {key: count for key, count in moved.items() if count}


def _take_fields(survivor: Party, other: Party, decided: Mapping[str, str]) -> None:
    refs = (survivor.external_id, other.external_id)
    custom = {**other.custom, **survivor.custom}  # gaps filled from the other party
    for name, side in decided.items():
        if name.startswith(CUSTOM):
            key = name.removeprefix(CUSTOM)
            if side == OTHER and key in other.custom:
                custom[key] = other.custom[key]
            elif side == OTHER:
                custom.pop(key, None)
        elif name == "notes" and side == BOTH:
            survivor.notes = f"{survivor.notes}\n\n{other.notes}"
        elif name in MERGE_FIELDS and side == OTHER:
            setattr(survivor, name, getattr(other, name))
    survivor.custom = custom
    if survivor.parent_id == other.pk:  # the survivor was the other's child
        survivor.parent_id = other.parent_id if other.parent_id != survivor.pk else None
    other.archived_at = timezone.now()
    # The other party's external id now names the survivor: as its own, or as an alias.
    other.external_id = None  # freed (unique) before the survivor or an alias takes it
    other.save(update_fields=["archived_at", "external_id", "updated_at"])
    survivor.display_name = display_name(survivor)
    survivor.save()
    for ref in refs:
        if ref and ref != survivor.external_id:
            PartyAlias.objects.create(party=survivor, external_id=ref)


def _move_contact_points(survivor: Party, other: Party, dropped: Dropped) -> int:
    """Move contact points not already on the survivor (same normalised value); the
    survivor's primary of each kind stays primary. A duplicate of one the survivor has is
    removed: the merge record's snapshot keeps it."""
    have = set(survivor.contact_points.values_list("kind", "normalized"))
    primary = set(survivor.contact_points.filter(is_primary=True).values_list("kind", flat=True))
    count = 0
    duplicates = []
    for point in ContactPoint.objects.filter(party=other).order_by("-is_primary", "pk"):
        if (point.kind, point.normalized) in have:
            duplicates.append(point.pk)
            continue
        is_primary = point.is_primary and point.kind not in primary
        ContactPoint.objects.filter(pk=point.pk).update(party=survivor, is_primary=is_primary)
        have.add((point.kind, point.normalized))
        if is_primary:
            primary.add(point.kind)
        count += 1
    ContactPoint.objects.filter(pk__in=duplicates).delete()
    if duplicates:
        dropped.setdefault("parties.contactpoint.party", []).extend(duplicates)
    return count


def _combine_doubles(survivor: Party, other: Party, dropped: Dropped) -> None:
    """Roles, affiliations and key dates the survivor already has: the survivor's row takes
    what it lacks from the other's (a period, a title, a year) and the other's is dropped."""
    roles = {r.role: r for r in PartyRole.objects.filter(party=survivor)}
    for role in PartyRole.objects.filter(party=other).order_by("pk"):
        if mine := roles.get(role.role):
            mine.since = _earliest(mine.since, role.since)
            mine.until = _latest(mine.until, role.until)
            mine.save(update_fields=["since", "until"])
            _drop(PartyRole, role.pk, "parties.partyrole.party", dropped)
    for fk, other_end in (("person", "organization"), ("organization", "person")):
        mine_by_end = {
            getattr(a, f"{other_end}_id"): a for a in Affiliation.objects.filter(**{fk: survivor})
        }
        for row in Affiliation.objects.filter(**{fk: other}).order_by("pk"):
            end = getattr(row, f"{other_end}_id")
            if end == survivor.pk:  # the merged pair's own link would point at itself
                _drop(Affiliation, row.pk, f"parties.affiliation.{fk}", dropped)
            elif link := mine_by_end.get(end):
                link.title = link.title or row.title
                link.since = _earliest(link.since, row.since)
                link.until = _latest(link.until, row.until)
                link.save(update_fields=["title", "since", "until"])
                _drop(Affiliation, row.pk, f"parties.affiliation.{fk}", dropped)
    days = {(k.kind, k.label, k.month, k.day): k for k in KeyDate.objects.filter(party=survivor)}
    for date in KeyDate.objects.filter(party=other).order_by("pk"):
        if (mine_date := days.get((date.kind, date.label, date.month, date.day))) is not None:
            if mine_date.year is None and date.year is not None:
                mine_date.year = date.year
                mine_date.save(update_fields=["year"])
            _drop(KeyDate, date.pk, "parties.keydate.party", dropped)


def _earliest(a: Any, b: Any) -> Any:
    """The earlier of two optional start dates; unknown (None) means "always", so it wins."""
    return None if a is None or b is None else min(a, b)


def _latest(a: Any, b: Any) -> Any:
    """The later of two optional end dates; no end (None) means "still", so it wins."""
    return None if a is None or b is None else max(a, b)


def _drop(model: type[models.Model], pk: int, key: str, dropped: Dropped) -> None:
    model._base_manager.filter(pk=pk).delete()
    dropped.setdefault(key, []).append(pk)


def move_rows(
    model: type[models.Model],
    fk: models.ForeignKey[Any, Any],
    other: Party,
    survivor: Party,
    dropped: Dropped | None = None,
) -> int:
    """Point the rows of `model` that `fk` links to `other` at `survivor`; how many moved.

    Rows move with queryset.update(), which does not call Model.save(): that is how
    append-only rows change owner without being rewritten. A row that some uniqueness rule
    forbids on the survivor (the same tag, a one-to-one row) stays out: it is removed, or
    left with the archived party when other rows still need it, and the merge's snapshot
    keeps it either way. The ids of removed rows are added to `dropped`.
    """
    rows = model._base_manager.filter(**{fk.name: other})
    if not _is_unique_with(model, fk):
        return int(rows.update(**{fk.name: survivor}))
    count = 0
    for pk in list(rows.values_list("pk", flat=True)):
        one = model._base_manager.filter(pk=pk)
        try:
            with transaction.atomic():
                count += one.update(**{fk.name: survivor})
        except IntegrityError:
            try:
                with transaction.atomic():
                    one.delete()
            except ProtectedError:
                continue  # still referenced elsewhere: it stays with the archived party
            if dropped is not None:
                dropped.setdefault(f"{model._meta.label_lower}.{fk.name}", []).append(pk)
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
