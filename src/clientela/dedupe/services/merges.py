"""Merging two parties into one, keeping every row of history and the merged record itself.

This module decides: who may merge, which choices are allowed, whose value each field
keeps. The parties app writes its own tables (parties.services.merging: the survivor's
fields, the archived party, contact points, roles, tags, change log); the other features'
rows move generically (related.py). Uniqueness is the only thing that needs care: a row that
would clash with one the survivor already has (the same contact point, the same tag, a
one-to-one row such as preferences) stays out and is kept in the snapshot instead. The
merged party is archived, not deleted: it leaves every list and search, its pages answer
404, and its id stays reserved for the audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Right, User
from clientela.accounts.services import record_audit, require_right
from clientela.commerce.models import Order
from clientela.commerce.services import orders_changed
from clientela.core.errors import Conflict, FieldError, Invalid, NotFound, invalid
from clientela.dedupe.models import CandidateStatus, DuplicateCandidate, MergeRecord
from clientela.dedupe.services.related import full_record, move_related
from clientela.parties.models import Party, PartyKind
from clientela.parties.queries import visible_parties
from clientela.parties.services.merging import (
    BOTH,
    CUSTOM,
    EMPTY,
    MERGE_FIELDS,
    OTHER,
    SURVIVOR,
    Dropped,
    differing_fields,
    field_value,
    merge_into,
)
from clientela.parties.services.unmerging import field_state, parties_record

ASSIGNING = frozenset({"owner_id", "team_id"})


def merge_parties(
    survivor: Party,
    other: Party,
    *,
    choices: Mapping[str, str] | None = None,
    by: User | None,
    require_choices: bool = False,
) -> MergeRecord:
    """Merge `other` into `survivor`; `choices` maps a field to "survivor" or "other".
    With `require_choices` (the command line) every field on which they differ needs one.

    Unchosen fields keep the survivor's value, or take the other's when the survivor has
    none (notes are joined). Everything of the other party moves to the survivor; the other
    party is archived and its full record kept in the MergeRecord. `by` None means the
    system (the CLI without --as). The adapter wraps this in a transaction.
    """
    _check_access(survivor, other, by)
    picks = _check_choices(survivor, other, dict(choices or {}), by)
    if require_choices:
        _require_choices(survivor, other, picks)
    survivor, other = _locked(survivor, other)
    # The snapshot: the other party whole, and what an unmerge needs (unmerges.py).
    record = full_record(other)
    record["other_fields"] = field_state(other)
    record["survivor"] = parties_record(survivor)
    record["merges"] = list(MergeRecord.objects.filter(survivor=other).values_list("pk", flat=True))
    decided = decide_fields(survivor, other, picks)
    dropped: Dropped = {}
    moved = merge_into(survivor, other, decided=decided, by=by, dropped=dropped)
    moved.update(move_related(survivor, other, dropped))
    record["after"] = field_state(survivor)
    record["dropped"] = dropped
    if any(key.startswith(f"{Order._meta.label_lower}.") for key in moved):
        # The survivor's purchase history grew: its metrics follow once the merge commits.
        orders_changed([survivor.pk, other.pk])
    now = timezone.now()
    _settle_pairs(survivor, other, by=by, now=now)
    merge = MergeRecord.objects.create(
        survivor=survivor,
        merged_party_id=other.pk,
        merged_name=other.display_name,
        snapshot=record,
        choices=decided,
        moved=moved,
        by=by,
        at=now,
    )
    record_audit(
        by,
        "parties.merged",
        target_kind="party",
        target_id=survivor.pk,
        details={"merge_id": merge.pk, "merged_party_id": other.pk, "choices": decided},
    )
    return merge


def merge_preview(survivor: Party, other: Party, *, by: User | None) -> dict[str, Any]:
    """What a merge of `other` into `survivor` would keep, for a confirmation: each field on
    which they differ with both values (a choice to make, and what is kept without one), and
    the fields on which they agree. Values as stored (ids for owner, team and parent)."""
    _check_access(survivor, other, by)
    mine, theirs = field_state(survivor), field_state(other)
    differing = differing_fields(survivor, other)
    default = decide_fields(survivor, other, {})
    conflicts = [
        {
            "field": c.name,
            "label": c.label,
            "survivor": mine.get(c.name),
            "other": theirs.get(c.name),
            "default": default[c.name],
        }
        for c in differing
    ]
    names = {c.name for c in differing}
    same = [
        {"field": name, "value": value}
        for name, value in mine.items()
        if name not in names and value not in EMPTY
    ]
    return {"conflicts": conflicts, "same": same}


def decide_fields(survivor: Party, other: Party, picks: Mapping[str, str]) -> dict[str, str]:
    """Whose value each differing field keeps: the pick, else the survivor's unless it has
    none; notes nobody chose are joined when both parties have some."""
    decided: dict[str, str] = {}
    for choice in differing_fields(survivor, other):
        name = choice.name
        if name == "notes" and name not in picks and survivor.notes and other.notes:
            decided[name] = BOTH
            continue
        mine = field_value(survivor, name)
        decided[name] = picks.get(name, OTHER if mine in EMPTY else SURVIVOR)
    return decided


def _settle_pairs(survivor: Party, other: Party, *, by: User | None, now: object) -> None:
    """The merged pair is marked merged; the other party's remaining open pairs go."""
    pair = sorted((survivor.pk, other.pk))
    DuplicateCandidate.objects.filter(party_a_id=pair[0], party_b_id=pair[1]).update(
        status=CandidateStatus.MERGED, decided_at=now, decided_by=by
    )
    DuplicateCandidate.objects.filter(
        Q(party_a=other) | Q(party_b=other), status=CandidateStatus.OPEN
    ).delete()


def _check_access(survivor: Party, other: Party, by: User | None) -> None:
    if by is not None:
        require_right(by, Right.MERGE)  # managers and admins (accounts.models.RIGHTS)
    live = visible_parties(by) if by is not None else Party.objects.filter(archived_at=None)
    found = set(live.filter(pk__in=[survivor.pk, other.pk]).values_list("pk", flat=True))
    for party in (survivor, other):
        if party.pk not in found:
            raise NotFound(
                _("party %(id)s not found"), code="party_not_found", params={"id": party.pk}
            )
    if survivor.pk == other.pk:
        raise invalid("other_id", other.pk, _("is the party itself"), code="merge_with_itself")
    if survivor.kind != other.kind:
        raise invalid(
            "other_id",
            other.pk,
            _("is of another kind (%(kind)s); only parties of the same kind merge"),
            code="merge_kind_differs",
            kind=PartyKind(other.kind).label,
        )


def _check_choices(
    survivor: Party, other: Party, choices: dict[str, str], by: User | None
) -> dict[str, str]:
    errors = []
    custom_keys = set(survivor.custom) | set(other.custom)
    for name, pick in choices.items():
        where = f"choices.{name}"
        is_custom = name.startswith(CUSTOM) and name.removeprefix(CUSTOM) in custom_keys
        if name not in MERGE_FIELDS and not is_custom:
            errors.append(
                FieldError(where, name, _("is not a field to choose"), code="merge_field_unknown")
            )
        elif pick not in (SURVIVOR, OTHER):
            errors.append(
                FieldError(
                    where,
                    pick,
                    _("must be the party kept or the other one"),
                    code="merge_pick_invalid",
                )
            )
        elif (
            name in ASSIGNING
            and pick == OTHER
            and getattr(survivor, name) != getattr(other, name)
            and by is not None
            and not by.can_assign
        ):
            errors.append(
                FieldError(
                    where,
                    pick,
                    _("only managers and admins may assign it"),
                    code="assign_forbidden",
                )
            )
        elif name == "parent_id" and pick == OTHER and _would_loop(survivor, other.parent_id):
            errors.append(
                FieldError(where, pick, _("would make a loop in the hierarchy"), code="parent_loop")
            )
    if errors:
        raise Invalid(errors)
    return choices


def _require_choices(survivor: Party, other: Party, picks: Mapping[str, str]) -> None:
    missing = [c.name for c in differing_fields(survivor, other) if c.name not in picks]
    if missing:
        raise Invalid(
            [
                FieldError(
                    f"choices.{name}",
                    None,
                    _("differs between the two parties: choose survivor or other"),
                    code="merge_choice_missing",
                )
                for name in missing
            ]
        )


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


def merge_candidate(
    candidate: DuplicateCandidate,
    *,
    survivor_id: int,
    choices: Mapping[str, str] | None = None,
    by: User,
) -> MergeRecord:
    """Merge an open pair, keeping the party named by survivor_id."""
    if candidate.status != CandidateStatus.OPEN:
        raise already_decided(candidate)
    pair = {candidate.party_a_id: candidate.party_a, candidate.party_b_id: candidate.party_b}
    if survivor_id not in pair:
        raise invalid(
            "survivor", survivor_id, _("is not one of the pair"), code="survivor_not_in_pair"
        )
    (other_id,) = set(pair) - {survivor_id}
    return merge_parties(pair[survivor_id], pair[other_id], choices=choices, by=by)


def already_decided(candidate: DuplicateCandidate) -> Conflict:
    """The refusal to decide a pair twice."""
    return Conflict(
        _("this pair was already decided"),
        code="pair_already_decided",
        params={"id": candidate.pk, "status": CandidateStatus(candidate.status).label},
    )


def merge_exact_pairs(*, by: User | None) -> list[MergeRecord]:
    """Merge every open pair with the same e-mail or phone and alike names; the party
    created first survives and keeps its values, gaps filled from the other."""
    rows = DuplicateCandidate.objects.filter(status=CandidateStatus.OPEN, is_exact=True)
    if by is not None:
        require_right(by, Right.MERGE)
        visible = visible_parties(by)
        rows = rows.filter(party_a__in=visible, party_b__in=visible)
    merged: list[MergeRecord] = []
    for pair_id in list(rows.order_by("-score", "id").values_list("pk", flat=True)):
        pair = DuplicateCandidate.objects.filter(pk=pair_id, status=CandidateStatus.OPEN).first()
        if pair is None:  # settled by an earlier merge of this run
            continue
        a, b = Party.objects.filter(pk__in=[pair.party_a_id, pair.party_b_id]).order_by(
            "created_at", "pk"
        )
        if a.archived_at is not None or b.archived_at is not None:
            continue
        merged.append(merge_parties(a, b, by=by))
    return merged


def merged_into(party_id: int) -> int | None:
    """The live party that a merged party's id now leads to, following chains of merges."""
    seen: set[int] = set()
    current: int | None = party_id
    while current is not None and current not in seen:
        seen.add(current)
        record = (
            MergeRecord.objects.filter(merged_party_id=current, unmerged_at=None)
            .order_by("-at")
            .first()
        )
        if record is None:
            return current if current != party_id else None
        current = record.survivor_id
    return None
