"""REST routes for interactions: log one, list them; and a party's timeline."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from clientela.core.ids import Id
from clientela.core.openapi import problems
from clientela.core.pagination import newest_first_page
from clientela.core.requests import current_user
from clientela.interactions.models import Channel, Direction, Interaction
from clientela.interactions.schemas import InteractionCreate, InteractionOut, TimelinePage
from clientela.interactions.services import list_interactions, log_interaction, timeline
from clientela.parties.models import Party
from clientela.parties.queries import get_visible_party, visible_party_values

router = Router(tags=["interactions"])
# Mounted at /parties: the timeline is read as a part of the party.
parties_router = Router(tags=["parties"])


class InteractionFilters(Schema):
    party_id: Id | None = None
    channel: Channel | None = None
    direction: Direction | None = None
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=200)


class InteractionPage(Schema):
    items: list[InteractionOut]
    next_cursor: str | None


@router.post(
    "",
    response={200: InteractionOut, 201: InteractionOut},
    summary="Log an interaction",
    openapi_extra=problems(403, 404, 409),
)
def create(request: HttpRequest, payload: InteractionCreate) -> Status[Interaction]:
    """201 when logged now; 200 when its external_id was already logged with the same content.

    Interactions are never changed: to correct one, log a new one with `corrects_id`.
    """
    with transaction.atomic():
        interaction, created = log_interaction(payload, by=current_user(request))
    return Status(201 if created else 200, interaction)


@router.get(
    "",
    response=InteractionPage,
    summary="List interactions, newest first",
    openapi_extra=problems(404),
)
def list_all(request: HttpRequest, filters: Query[InteractionFilters]) -> dict[str, object]:
    user = current_user(request)
    if filters.party_id is not None:
        get_visible_party(user, filters.party_id)
    rows = list_interactions(
        user,
        party_id=filters.party_id,
        channel=filters.channel or "",
        direction=filters.direction or "",
    )
    return newest_first_page(rows, at="occurred_at", cursor=filters.cursor, limit=filters.limit)


class TimelineFilters(Schema):
    kind: list[str] = Field(default_factory=list, description="entry kinds: interaction, order, …")
    channel: list[str] = Field(default_factory=list)
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=200)


@parties_router.get(
    "/{party_id}/timeline",
    response=TimelinePage,
    summary="A party's timeline",
    # The id it had while the route lived in the parties app: clients generated from the
    # OpenAPI document keep their method name.
    operation_id="clientela_parties_api_party_timeline",
)
def party_timeline(
    request: HttpRequest, party_id: int, filters: Query[TimelineFilters]
) -> dict[str, object]:
    # The timeline needs only the party's id (benchmarks/party_360.py, docs/benchmarks.md).
    (pk,) = visible_party_values(current_user(request), party_id, ("id",))
    party = Party.from_db(DEFAULT_DB_ALIAS, ["id"], [pk])
    entries, next_cursor = timeline(
        party,
        kinds=frozenset(filters.kind),
        channels=frozenset(filters.channel),
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": entries, "next_cursor": next_cursor}
