"""REST routes of messaging: a party's messages, and a personal e-mail to them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from clientela.core.ids import Id
from clientela.core.openapi import problems
from clientela.core.pagination import id_page
from clientela.core.requests import current_user
from clientela.messaging.models import Message
from clientela.messaging.presenters import message_out
from clientela.messaging.schemas import MessageOut, MessagePage, StaffEmailIn
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
