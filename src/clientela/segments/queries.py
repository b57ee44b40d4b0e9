"""Read side of segments: the segments themselves, and each one's members for one user.

Segments are shared company-wide: every signed-in user sees every segment's name and rules.
Members are computed on demand for the user asking — the parties they may see
(parties.queries.visible_parties) that match the rules or are on the list — so a segment is
never stale and never shows a user a party that is not theirs to see.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Right, User
from clientela.accounts.services import require_right
from clientela.core.errors import Invalid, NotFound, invalid
from clientela.core.ids import id_from_text
from clientela.parties.models import Party
from clientela.parties.queries import visible_parties
from clientela.segments.models import Segment, StaticMember
from clientela.segments.services.compiler import Compiled, compile_rules
from clientela.segments.services.fields import FieldSpec, field_catalog
from clientela.segments.services.rules import validate_rules


def list_segments() -> QuerySet[Segment]:
    """Every segment, with its owner and team."""
    return Segment.objects.select_related("owner", "team").order_by("name", "id")


def get_segment(segment_id: int) -> Segment:
    """The segment; NotFound when there is none with this id."""
    segment = list_segments().filter(pk=segment_id).first()
    if segment is None:
        raise NotFound(
            _("segment %(id)s not found"), code="segment_not_found", params={"id": segment_id}
        )
    return segment


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


def export_members(segment: Segment, user: User, *, today: date | None = None) -> QuerySet[Party]:
    """The members this user may see, with what each row of the export shows, by name.

    Invalid when the saved rules no longer check: raised here, before any row is written.
    Forbidden when the user's role may not export (accounts.models.RIGHTS).
    """
    require_right(user, Right.EXPORT)
    return (
        with_summary(members(segment, user, today=today))
        .select_related("metrics")
        .order_by("display_name", "id")
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


def filter_by_segment(
    user: User, parties: QuerySet[Party], values: Mapping[str, str]
) -> QuerySet[Party]:
    """The party list's `segment=ID` filter (core.registries): members of that segment.
    Invalid naming `segment` for an id no segment has."""
    text = values["segment"]
    segment_id = id_from_text(text)
    segment = list_segments().filter(pk=segment_id).first() if segment_id else None
    if segment is None:
        raise invalid("segment", text, _("is not a segment"), code="segment_unknown")
    return segment_filter(segment).apply(parties)


def describe_segment(values: Mapping[str, str]) -> list[str]:
    """The segment filter in words."""
    text = values["segment"]
    names = Segment.objects.filter(pk=id_from_text(text) or 0).values_list("name", flat=True)
    name = names.first()
    return [gettext("in segment %(name)s") % {"name": name or text}]


def segment_choices() -> list[tuple[str, str]]:
    """(id, name) of every segment, for the pickers of other features' filters."""
    return [(str(pk), name) for pk, name in list_segments().values_list("pk", "name")]
