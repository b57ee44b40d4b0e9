"""Use cases for segments: save, change and delete them, check rules, keep static lists.

A segment is changed or deleted by its owner, or by an admin, a manager or a marketing user;
viewers change nothing. The rules' vocabulary (fields), their checking (rules) and their
translation into ORM filters (compiler) are the modules of this package; reading a segment's
members is in segments.queries.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Role, User
from clientela.accounts.services import require_write
from clientela.core.errors import FieldError, Forbidden, Invalid, NotFound
from clientela.parties.queries import get_visible_party
from clientela.segments.models import Segment, SegmentKind, StaticMember
from clientela.segments.schemas import SegmentCreate, SegmentUpdate
from clientela.segments.services.fields import field_catalog
from clientela.segments.services.rules import EMPTY_RULES, validate_rules

# Roles that look after every audience, besides each segment's owner.
CURATORS = frozenset({Role.ADMIN, Role.MANAGER, Role.MARKETING})


def can_change(segment: Segment, user: User) -> bool:
    """Whether the user may change or delete this segment (and its list)."""
    return user.can_write and (segment.owner_id == user.pk or user.role in CURATORS)


def require_change(segment: Segment, user: User) -> None:
    """Forbidden unless the user may change this segment (see can_change)."""
    require_write(user)
    if not can_change(segment, user):
        raise Forbidden(
            _("only the segment's owner, admins, managers and marketing may change it"),
            code="segment_change_forbidden",
        )


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
            raise _no_rules()
        segment.rules = _checked_rules(segment.kind, data.rules)
    for name in ("name", "description"):
        if name in sent:
            value = getattr(data, name)
            if value is None:
                raise Invalid(
                    FieldError(name, None, _("may not be null"), code="segment_field_null")
                )
            setattr(segment, name, value)
    segment.save()
    return segment


def delete_segment(segment: Segment, *, by: User) -> None:
    """Delete the segment and its list; the parties stay."""
    require_change(segment, by)
    segment.delete()


def _no_rules() -> Invalid:
    return Invalid(
        FieldError("rules", None, _("a static list has no rules"), code="static_list_has_no_rules")
    )


def _checked_rules(kind: str, rules: dict[str, Any] | None) -> dict[str, Any]:
    if kind == SegmentKind.STATIC:
        if rules not in (None, EMPTY_RULES):
            raise _no_rules()
        return dict(EMPTY_RULES)
    return validate_rules(EMPTY_RULES if rules is None else rules, field_catalog())


def check_rules(rules: Any) -> dict[str, Any]:
    """The rules checked against today's fields (canonical form), or Invalid."""
    return validate_rules(rules, field_catalog())


def add_static_member(segment: Segment, party_id: int, *, by: User) -> bool:
    """Put a party the user may see on a static list; False when it was already there."""
    require_change(segment, by)
    if not segment.is_static:
        raise Invalid(
            FieldError("segment", segment.pk, _("is not a static list"), code="segment_not_static")
        )
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
        raise NotFound(
            _("party %(party)s is not on segment %(segment)s"),
            code="segment_member_not_found",
            params={"party": party_id, "segment": segment.pk},
        )
