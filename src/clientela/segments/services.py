"""Use cases for segments: save and change them, compute members, preview, static lists, export.

Segments are shared company-wide: every signed-in user sees every segment's name and rules.
Members are computed on demand for the user asking — the parties they may see
(parties.access.visible_parties) that match the rules or are on the list — so a segment is never
stale and never shows a user a party that is not theirs to see. A segment is changed or deleted
by its owner, or by an admin, a manager or a marketing user; viewers change nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from clientela.accounts.models import Role, User
from clientela.accounts.services import require_write
from clientela.core.cells import neutralise
from clientela.core.errors import FieldError, Forbidden, Invalid, NotFound
from clientela.parties.models import Party
from clientela.parties.presenters import party_summary
from clientela.parties.queries import get_visible_party, visible_parties
from clientela.segments.compiler import Compiled, compile_rules
from clientela.segments.fields import FieldSpec, field_catalog
from clientela.segments.models import Segment, SegmentKind, StaticMember
from clientela.segments.rules import EMPTY_RULES, validate_rules
from clientela.segments.schemas import SegmentCreate, SegmentUpdate

# Roles that look after every audience, besides each segment's owner.
CURATORS = frozenset({Role.ADMIN, Role.MANAGER, Role.MARKETING})
EXPORT_COLUMNS = [
    "id",
    "external_id",
    "kind",
    "display_name",
    "primary_email",
    "primary_phone",
    "owner",
    "team",
    "roles",
    "tags",
    "lifecycle_state",
    "rfm_segment",
    "tier",
    "clv",
]


def list_segments() -> QuerySet[Segment]:
    """Every segment, with its owner and team."""
    return Segment.objects.select_related("owner", "team").order_by("name", "id")


def get_segment(segment_id: int) -> Segment:
    segment = list_segments().filter(pk=segment_id).first()
    if segment is None:
        raise NotFound(f"segment {segment_id} not found")
    return segment


def can_change(segment: Segment, user: User) -> bool:
    """Whether the user may change or delete this segment (and its list)."""
    return user.can_write and (segment.owner_id == user.pk or user.role in CURATORS)


def require_change(segment: Segment, user: User) -> None:
    require_write(user)
    if not can_change(segment, user):
        raise Forbidden("only the segment's owner, admins, managers and marketing may change it")


def create_segment(data: SegmentCreate, *, by: User) -> Segment:
    """Save a new segment owned by `by`; rules are checked first, nothing is saved if wrong."""
    require_write(by)
    rules = _checked_rules(data.kind, data.rules)
    return Segment.objects.create(
        name=data.name,
        description=data.description,
        kind=data.kind,
        rules=rules,
        owner=by,
        team_id=by.team_id,
    )


def update_segment(segment: Segment, data: SegmentUpdate, *, by: User) -> Segment:
    """Change the fields sent; the kind of a segment never changes."""
    require_change(segment, by)
    sent = data.model_fields_set
    if "rules" in sent:
        if segment.is_static and data.rules is not None:
            raise Invalid(FieldError("rules", None, "a static list has no rules"))
        segment.rules = _checked_rules(segment.kind, data.rules)
    for name in ("name", "description"):
        if name in sent:
            value = getattr(data, name)
            if value is None:
                raise Invalid(FieldError(name, None, "may not be null"))
            setattr(segment, name, value)
    segment.save()
    return segment


def delete_segment(segment: Segment, *, by: User) -> None:
    require_change(segment, by)
    segment.delete()


def _checked_rules(kind: str, rules: dict[str, Any] | None) -> dict[str, Any]:
    if kind == SegmentKind.STATIC:
        if rules not in (None, EMPTY_RULES):
            raise Invalid(FieldError("rules", None, "a static list has no rules"))
        return dict(EMPTY_RULES)
    return validate_rules(EMPTY_RULES if rules is None else rules, field_catalog())


def check_rules(rules: Any) -> dict[str, Any]:
    """The rules checked against today's fields (canonical form), or Invalid."""
    return validate_rules(rules, field_catalog())


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def segment_filter(
    segment: Segment, *, today: date | None = None, catalog: dict[str, FieldSpec] | None = None
) -> Compiled:
    """The segment as a filter over Party. Saved rules are checked again against today's
    fields, so a deleted or retyped custom field gives an Invalid rather than a wrong list."""
    if segment.is_static:
        rows = StaticMember.objects.filter(segment_id=segment.pk, party=OuterRef("pk"))
        return Compiled(Q(Exists(rows)))
    catalog = catalog if catalog is not None else field_catalog()
    tree = validate_rules(segment.rules, catalog)
    return compile_rules(tree, catalog, today=_today(today))


def members(segment: Segment, user: User, *, today: date | None = None) -> QuerySet[Party]:
    """The parties of the segment that this user may see, computed now."""
    return segment_filter(segment, today=today).apply(visible_parties(user))


def with_summary(parties: QuerySet[Party]) -> QuerySet[Party]:
    """What parties.presenters.party_summary needs, in a fixed number of queries."""
    return parties.select_related("owner", "team").prefetch_related(
        "roles", "tags", "contact_points"
    )


def member_counts(
    segments: Iterable[Segment], user: User, *, today: date | None = None
) -> dict[int, int | None]:
    """How many members each segment has for this user, in one query; None for rules that
    no longer check (see segment_filter)."""
    catalog = field_catalog()
    aggregates: dict[str, Count] = {}
    aliases: dict[str, Any] = {}
    counts: dict[int, int | None] = {}
    for segment in segments:
        try:
            compiled = segment_filter(segment, today=today, catalog=catalog)
        except Invalid:
            counts[segment.pk] = None
            continue
        aliases.update(compiled.aliases)
        aggregates[f"segment_{segment.pk}"] = Count("pk", filter=compiled.q)
    if aggregates:
        parties = visible_parties(user).order_by()
        totals = (parties.alias(**aliases) if aliases else parties).aggregate(**aggregates)
        for key, total in totals.items():
            counts[int(key.removeprefix("segment_"))] = total
    return counts


def preview(
    rules: Any, user: User, *, limit: int = 10, today: date | None = None
) -> tuple[int, list[Party]]:
    """How many visible parties the rules select now, and the first few by name."""
    catalog = field_catalog()
    tree = validate_rules(rules, catalog)
    parties = compile_rules(tree, catalog, today=_today(today)).apply(visible_parties(user))
    first = list(with_summary(parties).order_by("display_name", "id")[:limit]) if limit else []
    return parties.count(), first


def add_static_member(segment: Segment, party_id: int, *, by: User) -> bool:
    """Put a party the user may see on a static list; False when it was already there."""
    require_change(segment, by)
    if not segment.is_static:
        raise Invalid(FieldError("segment", segment.pk, "is not a static list"))
    party = get_visible_party(by, party_id)
    _member, created = StaticMember.objects.get_or_create(
        segment=segment, party=party, defaults={"added_by": by}
    )
    return created


def remove_static_member(segment: Segment, party_id: int, *, by: User) -> None:
    """Take a party the user may see off a static list; NotFound when it was not on it."""
    require_change(segment, by)
    party = get_visible_party(by, party_id)
    deleted, _rows = StaticMember.objects.filter(segment=segment, party=party).delete()
    if not deleted:
        raise NotFound(f"party {party_id} is not on segment {segment.pk}")


class _Echo:
    """A file-like object that hands back what is written, for streaming."""

    def write(self, value: str) -> str:
        return value


def export_rows(segment: Segment, user: User, *, today: date | None = None) -> Iterator[str]:
    """The members this user may see as CSV lines, formula-like cells neutralised."""
    parties = (
        members(segment, user, today=today)
        .select_related("owner", "team", "metrics")
        .prefetch_related("roles", "tags", "contact_points")
        .order_by("display_name", "id")
    )
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(EXPORT_COLUMNS)
    for party in parties.iterator(chunk_size=1000):
        yield writer.writerow([neutralise(_cell(v)) for v in _export_row(party)])


def _export_row(party: Party) -> list[Any]:
    summary = party_summary(party)
    metrics = party.metrics if _has_metrics(party) else None
    return [
        party.pk,
        party.external_id,
        party.kind,
        party.display_name,
        summary["primary_email"],
        summary["primary_phone"],
        summary["owner"]["name"] if summary["owner"] else "",
        summary["team"]["name"] if summary["team"] else "",
        " ".join(summary["roles"]),
        ", ".join(summary["tags"]),
        metrics.lifecycle_state if metrics else "",
        metrics.rfm_segment if metrics else "",
        metrics.tier if metrics else "",
        metrics.clv if metrics else "",
    ]


def _has_metrics(party: Party) -> bool:
    try:
        party.metrics  # noqa: B018  (reading it raises when the party has none yet)
    except Party.metrics.RelatedObjectDoesNotExist:
        return False
    return True


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def export_filename(segment: Segment) -> str:
    """A safe file name for the segment's export."""
    stem = "".join(c if c.isalnum() or c in "-_" else "-" for c in segment.name.lower()).strip("-")
    return f"segment-{segment.pk}-{stem[:40] or 'members'}.csv"
