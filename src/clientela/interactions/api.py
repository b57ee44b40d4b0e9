"""REST routes for interactions: log one, list them."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from clientela.core.pagination import newest_first_page
from clientela.interactions.models import Channel, Direction, Interaction
from clientela.interactions.schemas import InteractionCreate, InteractionOut
from clientela.interactions.services import list_interactions, log_interaction
from clientela.parties.queries import get_visible_party

router = Router(tags=["interactions"])


class InteractionFilters(Schema):
    party_id: int | None = None
    channel: Channel | None = None
    direction: Direction | None = None
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=200)


class InteractionPage(Schema):
    items: list[InteractionOut]
    next_cursor: str | None


@router.post("", response={200: InteractionOut, 201: InteractionOut}, summary="Log an interaction")
def create(request: HttpRequest, payload: InteractionCreate) -> Status[Interaction]:
    """201 when logged now; 200 when its external_id was already logged with the same content.

    Interactions are never changed: to correct one, log a new one with `corrects_id`.
    """
    with transaction.atomic():
        interaction, created = log_interaction(payload, by=request.user)  # type: ignore[arg-type]
    return Status(201 if created else 200, interaction)


@router.get("", response=InteractionPage, summary="List interactions, newest first")
def list_all(request: HttpRequest, filters: Query[InteractionFilters]) -> dict[str, object]:
    if filters.party_id is not None:
        get_visible_party(request.user, filters.party_id)  # type: ignore[arg-type]
    rows = list_interactions(
        request.user,  # type: ignore[arg-type]
        party_id=filters.party_id,
        channel=filters.channel or "",
        direction=filters.direction or "",
    )
    return newest_first_page(rows, at="occurred_at", cursor=filters.cursor, limit=filters.limit)
