"""REST routes the SMS gateway calls: delivery receipts and inbound messages (no token:
each call is signed, docs/api.md "SMS callbacks")."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from ninja import Router

from clientela.core.clients import client_address
from clientela.core.openapi import problems
from clientela.messaging.schemas import CallbackOut, InboundIn, ReceiptIn, parse_callback
from clientela.messaging.services.callbacks import admit, remember
from clientela.messaging.services.inbound import take_inbound
from clientela.messaging.services.receipts import apply_receipt

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
