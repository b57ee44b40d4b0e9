"""Previews: what a template makes for a real party the user may see, or for a sample of a
segment's members, each with the variant chosen and why. A preview stores no token."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.core.errors import Invalid, invalid
from clientela.messaging.models import Template
from clientela.messaging.services.rendering import Rendered, render_for
from clientela.parties.models import Party
from clientela.parties.queries import get_visible_party
from clientela.segments.queries import get_segment, members

SAMPLE_SIZE = 20


@dataclass(frozen=True)
class Preview:
    """One party's message, or the reason it could not be written for them."""

    party_id: int
    party_name: str
    rendered: Rendered | None
    problem: str | None = None


def _preview(template: Template, party: Party) -> Preview:
    try:
        return Preview(party.pk, party.display_name, render_for(template, party, preview=True))
    except Invalid as exc:
        return Preview(party.pk, party.display_name, None, problem=exc.detail)


def preview_for_party(template: Template, party_id: int, *, user: User) -> Preview:
    """The message for one party; 404 when the user may not see them."""
    return _preview(template, get_visible_party(user, party_id))


def preview_for_segment(
    template: Template, segment_id: int, *, user: User, size: int = SAMPLE_SIZE
) -> list[Preview]:
    """The messages for up to `size` members of the segment that the user may see, drawn at
    random so a sample is not always the oldest customers."""
    if not 1 <= size <= SAMPLE_SIZE:
        raise invalid("size", size, _("must be from 1 to %(max)s"), code="sample_size", max=20)
    segment = get_segment(segment_id)
    sample = list(members(segment, user).order_by("?")[:size])
    return [_preview(template, party) for party in sorted(sample, key=lambda p: p.pk)]
