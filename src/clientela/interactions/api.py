"""REST routes for interactions: log one, correct one, attach files, list them; and a
party's timeline."""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import FileResponse, HttpRequest
from ninja import File, Query, Router, Schema, Status, UploadedFile
from pydantic import Field

from clientela.core.ids import Id
from clientela.core.openapi import problems
from clientela.core.pagination import newest_first_page
from clientela.core.requests import current_user
from clientela.interactions.models import Attachment, Channel, Direction, Interaction
from clientela.interactions.presenters import download_response
from clientela.interactions.schemas import (
    AttachmentOut,
    InteractionCorrection,
    InteractionCreate,
    InteractionDetailOut,
    InteractionOut,
    TimelinePage,
)
from clientela.interactions.services import (
    correct_interaction,
    corrections_of,
    get_visible_interaction,
    list_interactions,
    log_interaction,
    timeline,
)
from clientela.interactions.services.attachments import (
    attach_files,
    attachments_by_interaction,
    get_visible_attachment,
    open_attachment,
    refuse_oversized,
)
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


@router.get(
    "/{interaction_id}",
    response=InteractionDetailOut,
    summary="Get an interaction, with its files and corrections",
    openapi_extra=problems(404),
)
def retrieve(request: HttpRequest, interaction_id: int) -> dict[str, object]:
    interaction = get_visible_interaction(current_user(request), interaction_id)
    return _detail(interaction)


def _detail(interaction: Interaction) -> dict[str, object]:
    out = InteractionOut.from_orm(interaction).model_dump()
    files = attachments_by_interaction([interaction.pk]).get(interaction.pk, [])
    return {
        **out,
        "attachments": [_attachment(a) for a in files],
        "corrected_by_ids": corrections_of([interaction.pk]).get(interaction.pk, []),
    }


def _attachment(row: Attachment) -> dict[str, object]:
    return {
        "id": row.pk,
        "interaction_id": row.interaction_id,
        "name": row.name,
        "content_type": row.content_type,
        "size": row.size,
        "sha256": row.sha256,
        "created_at": row.created_at,
    }


@router.post(
    "/{interaction_id}/corrections",
    response={201: InteractionOut},
    summary="Correct an interaction",
    openapi_extra=problems(403, 404),
)
def correct(
    request: HttpRequest, interaction_id: int, payload: InteractionCorrection
) -> Status[Interaction]:
    """Logs the interaction as it should have been: a new entry whose `corrects_id` is this
    one, which stays unchanged (the timeline is append-only). `occurred_at` left out: the
    corrected entry's. A correction can itself be corrected."""
    user = current_user(request)
    with transaction.atomic():
        original = get_visible_interaction(user, interaction_id)
        fixed = correct_interaction(original, payload, by=user)
    return Status(201, fixed)


@router.post(
    "/{interaction_id}/attachments",
    response={201: list[AttachmentOut]},
    summary="Attach files to an interaction",
    openapi_extra=problems(403, 404, 413),
)
def attach(
    request: HttpRequest, interaction_id: int, files: File[list[UploadedFile]]
) -> Status[list[dict[str, object]]]:
    """multipart/form-data, one or more `files` (at most 10, each at most
    CLIENTELA_ATTACHMENT_MAX_BYTES). Each file's kind is read from its content, not its name:
    PDF, PNG, JPEG, GIF, WebP, plain text, CSV and Office (docx, xlsx, pptx) by default
    (CLIENTELA_ATTACHMENT_TYPES). One refused file keeps them all out (422)."""
    user = current_user(request)
    refuse_oversized(request.META.get("CONTENT_LENGTH"))
    with transaction.atomic():
        interaction = get_visible_interaction(user, interaction_id)
        made = attach_files(interaction, files, by=user)
    return Status(201, [_attachment(a) for a in made])


@router.get(
    "/{interaction_id}/attachments/{attachment_id}",
    summary="Download an attachment",
    openapi_extra=problems(404),
)
def download(request: HttpRequest, interaction_id: int, attachment_id: int) -> FileResponse:
    """The file as it was sent, always as a download (`Content-Disposition: attachment`) with
    the type its content was found to be and `X-Content-Type-Options: nosniff`."""
    found = get_visible_attachment(current_user(request), interaction_id, attachment_id)
    return download_response(found, open_attachment(found))


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
