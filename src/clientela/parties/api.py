"""REST routes for parties: CRUD with filters and cursor pagination."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from clientela.core.ids import Id
from clientela.core.openapi import problems
from clientela.core.pagination import id_page
from clientela.core.requests import current_user
from clientela.parties.models import PartyKind, RelationshipRole
from clientela.parties.presenters import party_out, party_summary
from clientela.parties.queries import (
    get_visible_party,
    party_record,
    search_parties,
    visible_party_details,
)
from clientela.parties.schemas import PartyCreate, PartyOut, PartySummaryOut, PartyUpdate
from clientela.parties.services import archive_party, create_party, update_party

router = Router(tags=["parties"])


class PartyFilters(Schema):
    q: str = Field(default="", max_length=200, description="text search: names, e-mails, phones")
    kind: PartyKind | None = None
    role: RelationshipRole | None = None
    tag: str = Field(default="", max_length=50)
    owner_id: Id | None = None
    team_id: Id | None = None
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=200)


class PartyPage(Schema):
    items: list[PartySummaryOut]
    next_cursor: str | None


@router.get("", response=PartyPage, summary="List parties")
def list_parties(request: HttpRequest, filters: Query[PartyFilters]) -> dict[str, object]:
    parties = (
        search_parties(
            current_user(request),
            q=filters.q,
            kind=filters.kind or "",
            role=filters.role or "",
            tag=filters.tag,
            owner_id=filters.owner_id,
            team_id=filters.team_id,
        )
        .select_related("owner", "team")
        .prefetch_related("roles", "tags", "contact_points")
    )
    page = id_page(parties, cursor=filters.cursor, limit=filters.limit, descending=False)
    return {**page, "items": [party_summary(p) for p in page["items"]]}


@router.post(
    "", response={201: PartyOut}, summary="Create a party", openapi_extra=problems(403, 409)
)
def create(request: HttpRequest, payload: PartyCreate) -> Status[dict[str, object]]:
    user = current_user(request)
    with transaction.atomic():
        party = create_party(payload, by=user)
    return Status(201, party_out(visible_party_details(user, party.pk)))


@router.get("/{party_id}", response=PartyOut, summary="Get a party")
def retrieve(request: HttpRequest, party_id: int) -> dict[str, object]:
    return party_record(current_user(request), party_id)


@router.patch(
    "/{party_id}", response=PartyOut, summary="Change a party", openapi_extra=problems(403, 409)
)
def update(request: HttpRequest, party_id: int, payload: PartyUpdate) -> dict[str, object]:
    """Only the fields sent change; a list sent (roles, tags, …) replaces the whole list."""
    user = current_user(request)
    with transaction.atomic():
        party = get_visible_party(user, party_id)
        update_party(party, payload, by=user)
    return party_out(visible_party_details(user, party_id))


@router.delete(
    "/{party_id}", response={204: None}, summary="Archive a party", openapi_extra=problems(403)
)
def archive(request: HttpRequest, party_id: int) -> Status[None]:
    """The party disappears from reads and lists; its history is kept."""
    user = current_user(request)
    with transaction.atomic():
        party = get_visible_party(user, party_id)
        archive_party(party, by=user)
    return Status(204, None)
