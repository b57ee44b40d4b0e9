"""Duplicates and merges as people see them: reasons in the reader's language, a pair side by
side for review, and each merge as a line of the survivor's timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _

from clientela.core.timeline import Entry, source_rows
from clientela.dedupe.models import CandidateStatus, DuplicateCandidate, MergeRecord
from clientela.parties.models import Party
from clientela.parties.queries import with_details
from clientela.parties.services.merging import (
    BOTH,
    CUSTOM,
    EMPTY,
    MERGE_FIELDS,
    OTHER,
    RELATIONS,
    differing_fields,
)

MERGE = "merge"
UNMERGE = "unmerge"


def reason_labels(reasons: list[dict[str, Any]]) -> list[str]:
    """'similar name 92', 'same phone', … in the active language."""
    labels = {
        "same_name": _("same name"),
        "swapped_names": _("swapped first and last names"),
        "same_email": _("same e-mail"),
        "same_phone": _("same phone"),
        "same_email_local": _("same e-mail user name"),
        "same_email_domain": _("same e-mail domain"),
        "same_organization": _("same organization"),
        "same_city": _("same city"),
        "same_birthday": _("same birthday"),
        "different_birthday": _("different birthday"),
    }
    result = []
    for reason in reasons:
        code = reason.get("code", "")
        if code == "similar_name":
            result.append(_("similar name %(score)s") % {"score": reason.get("score", "")})
        else:
            result.append(labels.get(code, code))
    return result


def pair_row(pair: DuplicateCandidate) -> dict[str, Any]:
    """One line of the review queue."""
    return {"pair": pair, "reasons": reason_labels(pair.reasons)}


def review_context(pair: DuplicateCandidate) -> dict[str, Any]:
    """The two parties side by side, each differing field with the side chosen by default
    (the first party's value, unless it has none) and the older party proposed to stay."""
    parties = {
        p.pk: p
        for p in with_details(Party.objects.filter(pk__in=[pair.party_a_id, pair.party_b_id]))
    }
    a, b = parties[pair.party_a_id], parties[pair.party_b_id]
    older = a if (a.created_at, a.pk) <= (b.created_at, b.pk) else b
    fields = [
        {"choice": c, "default": "b" if c.a_value in EMPTY else "a"} for c in differing_fields(a, b)
    ]
    return {
        "pair": pair,
        "a": a,
        "b": b,
        "reasons": reason_labels(pair.reasons),
        "fields": fields,
        "same": shared_fields(a, b),
        "survivor_default": "a" if older is a else "b",
        "is_open": pair.status == CandidateStatus.OPEN,
    }


def shared_fields(a: Party, b: Party) -> list[dict[str, Any]]:
    """The values both parties have alike: kept as they are, shown beside the choices."""
    rows = []
    for name in MERGE_FIELDS:
        if getattr(a, name) != getattr(b, name) or getattr(a, name) in EMPTY:
            continue
        field = name.removesuffix("_id") if name in RELATIONS else name
        label = str(Party._meta.get_field(field).verbose_name)  # type: ignore[union-attr]  # concrete fields only
        rows.append({"label": label, "value": getattr(a, field)})
    for key in sorted(set(a.custom) & set(b.custom)):
        if a.custom[key] == b.custom[key] and a.custom[key] not in EMPTY:
            rows.append({"label": key, "value": a.custom[key]})
    return rows


def merge_context(record: MergeRecord, *, can_unmerge: bool, until: object) -> dict[str, Any]:
    """One merge as its page shows it: who, when, whose value each field kept, what moved."""
    sides = {OTHER: _("the merged party's"), BOTH: _("both, joined")}
    choices = []
    for name, side in sorted(record.choices.items()):
        if name.startswith(CUSTOM):
            label = name.removeprefix(CUSTOM)
        else:
            field = name.removesuffix("_id") if name in RELATIONS else name
            label = str(Party._meta.get_field(field).verbose_name)  # type: ignore[union-attr]  # concrete fields only
        choices.append({"label": label, "side": sides.get(side, _("the kept party's"))})
    moved = []
    for key, count in sorted(record.moved.items()):
        app_label, model_name = key.split(".")[:2]
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:  # a table since removed
            continue
        moved.append({"label": str(model._meta.verbose_name_plural), "count": count})
    return {
        "record": record,
        "choices": choices,
        "moved": moved,
        "can_unmerge": can_unmerge,
        "until": until,
    }


def merge_entries(
    party: Party, before: tuple[datetime, str, int] | None, limit: int, channels: frozenset[str]
) -> list[Entry]:
    """The timeline source of merges: the party's merges, newest first. A merge has no
    channel, so a channel filter hides it."""
    if channels:
        return []
    rows = source_rows(
        MERGE,
        lambda party_id: MergeRecord.objects.filter(survivor_id=party_id),
        party=party,
        before=before,
        limit=limit,
        channels=channels,
        at="at",
        fields=(
            "id",
            "at",
            "merged_name",
            "merged_party_id",
            "choices",
            "moved",
            "by__full_name",
            "by__email",
        ),
    )
    return [
        Entry(
            kind=MERGE,
            id=pk,
            at=at,
            title=_("Merged with %(name)s (party %(id)s)") % {"name": name, "id": merged_id},
            actor=by_name or by_email or "",  # str(by): full name, else e-mail
            data={"merged_party_id": merged_id, "choices": choices, "moved": moved},
        )
        for pk, at, name, merged_id, choices, moved, by_name, by_email in rows
    ]


def unmerge_entries(
    party: Party, before: tuple[datetime, str, int] | None, limit: int, channels: frozenset[str]
) -> list[Entry]:
    """The timeline source of unmerges: a merge undone shows on the survivor's timeline when
    it was undone (the merge's own entry stays, for history)."""
    if channels:
        return []
    rows = source_rows(
        UNMERGE,
        lambda party_id: MergeRecord.objects.filter(
            survivor_id=party_id, unmerged_at__isnull=False
        ),
        party=party,
        before=before,
        limit=limit,
        channels=channels,
        at="unmerged_at",
        fields=(
            "id",
            "unmerged_at",
            "merged_name",
            "merged_party_id",
            "unmerged_by__full_name",
            "unmerged_by__email",
        ),
    )
    return [
        Entry(
            kind=UNMERGE,
            id=pk,
            at=at,
            title=_("Unmerged: %(name)s (party %(id)s) is a separate party again")
            % {"name": name, "id": merged_id},
            actor=by_name or by_email or "",
            data={"merged_party_id": merged_id},
        )
        for pk, at, name, merged_id, by_name, by_email in rows
    ]
