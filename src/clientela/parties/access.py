"""Who may see and change which parties: applied in querysets, once, for every path."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from clientela.accounts.models import User
from clientela.core.errors import Forbidden, NotFound
from clientela.parties.models import Party


def visible_parties(user: User) -> QuerySet[Party]:
    """The parties this user may see: all for admins, managers, marketing and viewers;
    for sales and support, those owned by them or by their team. Archived ones are hidden."""
    parties = Party.objects.filter(archived_at__isnull=True)
    if not user.is_active:
        return parties.none()
    if user.sees_all_parties:
        return parties
    rule = Q(owner=user)
    if user.team_id is not None:
        rule |= Q(team_id=user.team_id)
    return parties.filter(rule)


def get_visible_party(user: User, party_id: int) -> Party:
    """The party if the user may see it; NotFound otherwise, so its existence is not revealed."""
    party = (
        visible_parties(user).select_related("owner", "team", "parent").filter(pk=party_id).first()
    )
    if party is None:
        raise NotFound(f"party {party_id} not found")
    return party


def require_write(user: User) -> None:
    """Refuse users who may only read (viewers, disabled users)."""
    if not user.can_write:
        raise Forbidden("your role may not change anything")
