"""What the dashboard shows a signed-in user: their parties at a glance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count

from clientela.accounts.models import User
from clientela.interactions.models import Interaction
from clientela.interactions.services import list_interactions
from clientela.parties.models import Party, PartyRole, RelationshipRole
from clientela.parties.queries import search_parties, visible_parties

RECENT = 8


@dataclass(frozen=True)
class Dashboard:
    total: int
    roles: list[dict[str, Any]]
    recent: list[Interaction]
    mine: list[Party]
    mine_total: int


def dashboard(user: User) -> Dashboard:
    """Counts by role, the latest contacts and the user's own parties, all within their view."""
    visible = visible_parties(user)
    counts = dict(
        PartyRole.objects.filter(party__in=visible)
        .values("role")
        .annotate(n=Count("party", distinct=True))
        .values_list("role", "n")
    )
    roles = [
        {"role": value, "label": label, "count": counts[value]}
        for value, label in RelationshipRole.choices
        if counts.get(value)
    ]
    recent = list(list_interactions(user).select_related("party", "staff")[:RECENT])
    mine = search_parties(user, owner_id=user.pk)
    return Dashboard(
        total=visible.count(),
        roles=roles,
        recent=recent,
        mine=list(mine.order_by("-updated_at", "-id")[:RECENT]),
        mine_total=mine.count(),
    )
