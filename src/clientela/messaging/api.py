"""REST routes of messaging: a party's messages, and a personal e-mail to them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from clientela.core.clients import client_address
from clientela.core.errors import invalid
from clientela.core.ids import Id
from clientela.core.openapi import problems
from clientela.core.pagination import id_page
from clientela.core.requests import current_user
from clientela.messaging import queries, services
from clientela.messaging.models import Channel, Message
from clientela.messaging.presenters import message_out, preview_out, template_out, variables_out
from clientela.messaging.schemas import (
    CallbackOut,
    InboundIn,
    MessageOut,
    MessagePage,
    PreviewsOut,
    ReceiptIn,
    StaffEmailIn,
    TemplateCreate,
    TemplateOut,
    TemplatePage,
    TemplateUpdate,
    VariableOut,
    parse_callback,
)
from clientela.messaging.services.callbacks import admit, remember
from clientela.messaging.services.inbound import take_inbound
from clientela.messaging.services.receipts import apply_receipt
from clientela.messaging.services.staff import send_staff_email
from clientela.parties.queries import get_visible_party

parties_router = Router(tags=["messages"])


class MessageFilters(Schema):
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=200)


@parties_router.get(
    "/{party_id}/messages",
    response=MessagePage,
    summary="A party's messages, newest first",
    openapi_extra=problems(404),
)
def list_messages(
    request: HttpRequest, party_id: Id, filters: Query[MessageFilters]
) -> dict[str, Any]:
    """Every message queued for the party on any channel, with its state and reason."""
    party = get_visible_party(current_user(request), party_id)
    rows = Message.objects.filter(party=party).select_related("created_by")
    page = id_page(rows, cursor=filters.cursor, limit=filters.limit, descending=True)
    return {"items": [message_out(m) for m in page["items"]], "next_cursor": page["next_cursor"]}


@parties_router.post(
    "/{party_id}/messages",
    response={201: MessageOut},
    summary="Queue a personal e-mail to the party",
    openapi_extra=problems(403, 404),
)
def create_message(
    request: HttpRequest, party_id: Id, payload: StaffEmailIn
) -> Status[dict[str, Any]]:
    """Queued in the outbox, from you (Reply-To: your address). The consent gate is asked when
    the worker sends it: a marketing e-mail without consent ends as `skipped` with its reason."""
    user = current_user(request)
    with transaction.atomic():
        party = get_visible_party(user, party_id)
        message = send_staff_email(user, party, payload)
    return Status(201, message_out(message))


router = Router(tags=["templates"])


class TemplateFilters(Schema):
    channel: Channel | None = None
    archived: bool = Field(default=False, description="the archived templates instead")
    cursor: str | None = Field(default=None, max_length=500)
    limit: int = Field(default=50, ge=1, le=200)


class PreviewQuery(Schema):
    party_id: Id | None = Field(default=None, description="one party you may see")
    segment_id: Id | None = Field(default=None, description="a sample of 20 of its members")


def _out(template_id: int) -> dict[str, Any]:
    return template_out(queries.get_template(template_id))


@router.get("", response=TemplatePage, summary="List templates, by name")
def list_templates(request: HttpRequest, filters: Query[TemplateFilters]) -> dict[str, Any]:
    rows = queries.templates(archived=filters.archived, channel=filters.channel or "")
    page = id_page(rows, cursor=filters.cursor, limit=filters.limit, descending=False)
    return {**page, "items": [template_out(t) for t in page["items"]]}


@router.get("/variables", response=list[VariableOut], summary="The variables a template may use")
def list_variables(request: HttpRequest) -> list[dict[str, str]]:
    return variables_out()


@router.post(
    "",
    response={201: TemplateOut},
    summary="Create a template with its language variants",
    openapi_extra=problems(403, 409, 413),
)
def create(request: HttpRequest, payload: TemplateCreate) -> Status[dict[str, Any]]:
    """422 names each unknown variable, filter or tag and each forbidden one, per field."""
    with transaction.atomic():
        template = services.create_template(payload, by=current_user(request))
    return Status(201, _out(template.pk))


@router.get(
    "/{template_id}", response=TemplateOut, summary="Get a template", openapi_extra=problems(404)
)
def retrieve(request: HttpRequest, template_id: Id) -> dict[str, Any]:
    return _out(template_id)


@router.patch(
    "/{template_id}",
    response=TemplateOut,
    summary="Change a template (variants, when sent, replace them all)",
    openapi_extra=problems(403, 404, 409, 413),
)
def update(request: HttpRequest, template_id: Id, payload: TemplateUpdate) -> dict[str, Any]:
    with transaction.atomic():
        template = services.update_template(
            queries.get_template(template_id), payload, by=current_user(request)
        )
    return _out(template.pk)


@router.delete(
    "/{template_id}",
    response={204: None},
    summary="Archive a template",
    openapi_extra=problems(403, 404),
)
def archive(request: HttpRequest, template_id: Id) -> Status[None]:
    """Templates are never removed: the messages that used one keep it."""
    with transaction.atomic():
        services.archive_template(queries.get_template(template_id), by=current_user(request))
    return Status(204, None)


@router.get(
    "/{template_id}/preview",
    response=PreviewsOut,
    summary="Preview for a party, or for a sample of 20 of a segment",
    openapi_extra=problems(404),
)
def preview(request: HttpRequest, template_id: Id, query: Query[PreviewQuery]) -> dict[str, Any]:
    """Each item says which variant was used and why (`exact`, `language`, `default`); a
    party the template cannot be written for has `problem` set. Stores nothing."""
    user = current_user(request)
    template = queries.get_template(template_id)
    if (query.party_id is None) == (query.segment_id is None):
        raise invalid(
            "party_id",
            query.party_id,
            _("give either party_id or segment_id"),
            code="preview_target_missing",
        )
    if query.party_id is not None:
        items = [services.preview_for_party(template, query.party_id, user=user)]
    else:
        assert query.segment_id is not None  # noqa: S101  # one of the two, checked above
        items = services.preview_for_segment(template, query.segment_id, user=user)
    return {"items": [preview_out(item) for item in items]}


sms_public = Router(tags=["public"])

_SIGNED = {
    "description": "Signed by the gateway (Standard Webhooks: webhook-id, webhook-timestamp, "
    "webhook-signature headers)."
}


@sms_public.post(
    "/receipts",
    auth=None,
    response={200: CallbackOut},
    summary="A delivery receipt from the SMS gateway (signed; no token)",
    openapi_extra={
        **problems(403, 404, 409, 422, 429, 503),
        "requestBody": {
            **_SIGNED,
            "content": {"application/json": {"schema": ReceiptIn.json_schema()}},
        },
    },
)
def receipt(request: HttpRequest) -> dict[str, object]:
    """Delivered or failed moves the message once; duplicates and older receipts change
    nothing (`unchanged`); a receipt that is not final is `ignored`."""
    webhook_id = admit(request.headers, request.body, address=client_address(request))
    data = parse_callback(ReceiptIn, request.body)
    with transaction.atomic():
        remember(webhook_id)
        outcome, moved = apply_receipt(data)
    return {"outcome": outcome, "messages": moved}


@sms_public.post(
    "/inbound",
    auth=None,
    response={200: CallbackOut},
    summary="An SMS a person sent to the company's number (signed; no token)",
    openapi_extra={
        **problems(403, 404, 409, 422, 429),
        "requestBody": {
            **_SIGNED,
            "content": {"application/json": {"schema": InboundIn.json_schema()}},
        },
    },
)
def inbound(request: HttpRequest) -> dict[str, object]:
    """STOP, STOP ALL, PARAR, BAJA or ALT withdraws SMS consent (`withdrawn`); any other text
    goes on the sender's timeline (`logged`)."""
    webhook_id = admit(request.headers, request.body, address=client_address(request))
    data = parse_callback(InboundIn, request.body)
    with transaction.atomic():
        remember(webhook_id)
        taken = take_inbound(data)
    return {"outcome": taken.outcome, "parties": taken.parties, "messages": taken.records}
