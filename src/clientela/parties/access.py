"""Who may see and change which parties: applied in querysets, once, for every path."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Q, QuerySet

from clientela.accounts.models import User
from clientela.core import prepared
from clientela.core.errors import Forbidden, NotFound
from clientela.parties.models import Party


def visible_parties(user: User) -> QuerySet[Party]:
    """The parties this user may see: all for admins, managers, marketing and viewers;
    for sales and support, those owned by them or by their team. Archived ones are hidden.

    Reads the user's role, is_active, pk and team_id only (visible_party_values relies on it).
    """
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


def visible_party_values(user: User, party_id: int, fields: Sequence[str]) -> tuple[Any, ...]:
    """`fields` of the party if the user may see it (NotFound otherwise), in one query compiled
    once per process and role (core.prepared): the API's hot reads use it."""
    if not -(2**63) <= party_id < 2**63:  # beyond any id a database stores
        raise NotFound(f"party {party_id} not found")

    def build(party_id: int, user_id: int, team_id: int | None = None) -> QuerySet[Any]:
        stand_in = User(pk=user_id, role=user.role, team_id=team_id, is_active=user.is_active)
        return visible_parties(stand_in).filter(pk=party_id).values_list(*fields)[:1]

    values: dict[str, prepared.Value] = {"party_id": party_id, "user_id": user.pk}
    if user.team_id is not None:
        values["team_id"] = user.team_id
    key = ("parties.visible", user.role, user.is_active, user.team_id is None, tuple(fields))
    found = prepared.rows(key, build, values)
    if not found:
        raise NotFound(f"party {party_id} not found")
    return found[0]


def require_write(user: User) -> None:
    """Refuse users who may only read (viewers, disabled users)."""
    if not user.can_write:
        raise Forbidden("your role may not change anything")
