"""REST routes for parties (CRUD with filters and cursor pagination) and the definitions of
their custom fields."""

from __future__ import annotations

from typing import Annotated, Literal

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field, StrictBool

from clientela.accounts.models import Right
from clientela.accounts.services import require_right
from clientela.core.ids import Id
from clientela.core.openapi import problems
from clientela.core.pagination import id_page
from clientela.core.requests import current_user
from clientela.parties.models import CustomField, CustomFieldType, PartyKind, RelationshipRole
from clientela.parties.presenters import party_out, party_summary
from clientela.parties.queries import (
    get_visible_party,
    party_record,
    search_parties,
    visible_party_details,
)
from clientela.parties.schemas import PartyCreate, PartyOut, PartySummaryOut, PartyUpdate
from clientela.parties.services import (
    archive_party,
    change_custom_field,
    create_party,
    define_custom_field,
    delete_custom_field,
    find_custom_field,
    update_party,
)

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


# --- custom-field definitions (admins change them; everyone reads them) ----------------------

custom_fields_router = Router(tags=["custom fields"])


class CustomFieldIn(Schema):
    """A definition as sent; on a PATCH only the fields sent change. `labels` holds the label
    in other languages ({"pt": "…"}); a language without one shows `label`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    key: str | None = Field(default=None, max_length=50)
    label: str | None = Field(default=None, max_length=100)
    labels: dict[Literal["en", "pt", "es", "it"], Annotated[str, Field(max_length=100)]] = {}
    type: CustomFieldType | None = None
    choices: list[Annotated[str, Field(max_length=100)]] | None = Field(
        default=None, max_length=100
    )
    applies_to: Literal["", "person", "organization"] | None = None
    required: StrictBool | None = None
    position: int | None = Field(default=None, ge=0, le=32767)


class CustomFieldOut(Schema):
    id: int
    key: str
    label: str
    labels: dict[str, str]
    shown_label: str
    type: str
    choices: list[str]
    applies_to: str
    required: bool
    position: int


def custom_field_out(field: CustomField) -> dict[str, object]:
    names = ("key", "label", "labels", "shown_label", "type", "choices", "applies_to")
    return {
        "id": field.pk,
        **{name: getattr(field, name) for name in names},
        "required": field.required,
        "position": field.position,
    }


@custom_fields_router.get("", response=list[CustomFieldOut], summary="List custom fields")
def custom_fields(request: HttpRequest) -> list[dict[str, object]]:
    """`shown_label` is the label in the reader's language (Accept-Language)."""
    return [custom_field_out(f) for f in CustomField.objects.all()]


@custom_fields_router.post(
    "",
    response={201: CustomFieldOut},
    summary="Define a custom field",
    openapi_extra=problems(403),
)
def define(request: HttpRequest, payload: CustomFieldIn) -> Status[dict[str, object]]:
    with transaction.atomic():
        field = define_custom_field(payload.model_dump(exclude_none=True), by=current_user(request))
    return Status(201, custom_field_out(field))


@custom_fields_router.patch(
    "/{field_id}",
    response=CustomFieldOut,
    summary="Change a custom field",
    openapi_extra=problems(403, 404),
)
def change(request: HttpRequest, field_id: Id, payload: CustomFieldIn) -> dict[str, object]:
    user = current_user(request)
    require_right(user, Right.ADMINISTER)
    with transaction.atomic():
        field = change_custom_field(
            find_custom_field(field_id), payload.model_dump(exclude_unset=True), by=user
        )
    return custom_field_out(field)


@custom_fields_router.delete(
    "/{field_id}",
    response={204: None},
    summary="Delete a custom field (values on parties are kept)",
    openapi_extra=problems(403, 404),
)
def delete(request: HttpRequest, field_id: Id) -> Status[None]:
    user = current_user(request)
    require_right(user, Right.ADMINISTER)
    with transaction.atomic():
        delete_custom_field(find_custom_field(field_id), by=user)
    return Status(204, None)
