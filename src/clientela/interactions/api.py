"""REST routes for interactions: log one, list them."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from clientela.core.pagination import id_page
from clientela.interactions.models import Channel, Direction, Interaction
from clientela.interactions.schemas import InteractionCreate, InteractionOut
from clientela.interactions.services import list_interactions, log_interaction

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
def create(request: HttpRequest, payload: InteractionCreate) -> tuple[int, Interaction]:
    with transaction.atomic():
        interaction, created = log_interaction(payload, by=request.user)  # type: ignore[arg-type]
    return (201 if created else 200), interaction


@router.get("", response=InteractionPage, summary="List interactions, newest first")
def list_all(request: HttpRequest, filters: Query[InteractionFilters]) -> dict[str, object]:
    rows = list_interactions(
        request.user,  # type: ignore[arg-type]
        party_id=filters.party_id,
        channel=filters.channel or "",
        direction=filters.direction or "",
    )
    return id_page(rows, cursor=filters.cursor, limit=filters.limit, descending=True)
