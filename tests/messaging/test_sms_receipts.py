"""Delivery receipts through the signed callback: each moves its message once, in date order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from clientela.messaging.models import Message, MessageState
from tests.factories import make_party
from tests.messaging.sms_support import SECRET, make_sms, post_signed

pytestmark = pytest.mark.django_db
URL = "/api/v1/public/sms/receipts"


@pytest.fixture(autouse=True)
def _secret(settings: Settings) -> None:
    settings.CLIENTELA_SMS_WEBHOOK_SECRET = SECRET


def _state(message: Message) -> tuple[str, str]:
    message.refresh_from_db()
    return message.state, message.reason


def test_a_delivered_receipt_marks_the_message_delivered(client: Client) -> None:
    message = make_sms(make_party())
    response = post_signed(client, URL, {"provider_id": message.provider_id, "status": "delivered"})
    assert response.status_code == 200
    assert response.json() == {"outcome": "applied", "messages": 1, "parties": 0}
    assert _state(message) == ("delivered", "")
    assert message.receipt_at is not None


def test_a_receipt_finds_its_message_by_our_reference(client: Client) -> None:
    message = make_sms(make_party(), provider_id="")
    post_signed(client, URL, {"reference": message.token, "status": "failed", "error": "Expired"})
    assert _state(message) == ("failed", "receipt_expired")


def test_a_duplicate_receipt_changes_nothing_twice(client: Client) -> None:
    message = make_sms(make_party())
    at = timezone.now() - timedelta(minutes=1)
    receipt = {"provider_id": message.provider_id, "status": "delivered", "at": at.isoformat()}
    assert post_signed(client, URL, receipt).json()["outcome"] == "applied"
    again = post_signed(client, URL, receipt)  # the gateway sent it again, under a new id
    assert again.status_code == 200
    assert again.json()["outcome"] == "unchanged"
    assert _state(message) == ("delivered", "")


def test_an_older_receipt_arriving_later_changes_nothing(client: Client) -> None:
    message = make_sms(make_party())
    now = timezone.now()
    newer = {"provider_id": message.provider_id, "status": "delivered", "at": now.isoformat()}
    older = {
        "provider_id": message.provider_id,
        "status": "failed",
        "error": "network",
        "at": (now - timedelta(minutes=5)).isoformat(),
    }
    post_signed(client, URL, newer)
    assert post_signed(client, URL, older).json()["outcome"] == "unchanged"
    assert _state(message) == ("delivered", "")


def test_a_newer_receipt_replaces_what_an_older_one_said(client: Client) -> None:
    message = make_sms(make_party())
    now = timezone.now()
    post_signed(
        client,
        URL,
        {
            "provider_id": message.provider_id,
            "status": "failed",
            "at": (now - timedelta(minutes=5)).isoformat(),
        },
    )
    assert _state(message) == ("failed", "receipt_failed")
    post_signed(
        client,
        URL,
        {"provider_id": message.provider_id, "status": "delivered", "at": now.isoformat()},
    )
    assert _state(message) == ("delivered", "")


def test_a_receipt_that_is_not_final_is_ignored(client: Client) -> None:
    message = make_sms(make_party())
    response = post_signed(client, URL, {"provider_id": message.provider_id, "status": "buffered"})
    assert response.json()["outcome"] == "ignored"
    assert _state(message) == ("sent", "")


def test_a_receipt_cannot_undo_a_failure_of_the_send_itself(client: Client) -> None:
    message = make_sms(make_party(), state=MessageState.FAILED, reason="rejected")
    response = post_signed(client, URL, {"provider_id": message.provider_id, "status": "delivered"})
    assert response.json()["outcome"] == "unchanged"
    assert _state(message) == ("failed", "rejected")


def test_a_receipt_before_the_send_is_recorded_is_asked_again_later(client: Client) -> None:
    message = make_sms(make_party(), state=MessageState.LEASED, provider_id="")
    response = post_signed(
        client, URL, {"reference": message.token, "status": "delivered"}, webhook_id="msg_early"
    )
    assert response.status_code == 503
    assert response.json()["code"] == "sms_receipt_early"
    assert response["Retry-After"] == "30"
    Message.objects.filter(pk=message.pk).update(state=MessageState.SENT)
    # the same callback again is not a replay: nothing of the refused one was kept
    retried = post_signed(
        client, URL, {"reference": message.token, "status": "delivered"}, webhook_id="msg_early"
    )
    assert retried.status_code == 200
    assert _state(message) == ("delivered", "")


def test_a_receipt_for_no_known_message_is_404(client: Client) -> None:
    response = post_signed(client, URL, {"provider_id": "nobody", "status": "delivered"})
    assert response.status_code == 404
    assert response.json()["code"] == "sms_message_unknown"


def test_a_receipt_of_an_email_is_not_taken(client: Client) -> None:
    message = make_sms(make_party(), channel="email")
    response = post_signed(client, URL, {"provider_id": message.provider_id, "status": "delivered"})
    assert response.status_code == 404
    assert _state(message) == ("sent", "")


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"status": "delivered"}, "body", "sms_receipt_unnamed"),
        ({"provider_id": "x", "status": "lost"}, "status", "literal_error"),
        (
            {"provider_id": "x", "status": "delivered", "at": "yesterday"},
            "at",
            "datetime_from_date_parsing",
        ),
        ({"provider_id": "x" * 201, "status": "delivered"}, "provider_id", "string_too_long"),
    ],
)
def test_a_receipt_that_breaks_a_rule_is_422_naming_the_field(
    client: Client, payload: dict[str, str], field: str, code: str
) -> None:
    response = post_signed(client, URL, payload)
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == (field, code)


def test_a_body_that_is_not_json_is_422(client: Client) -> None:
    response = post_signed(client, URL, b"status=delivered")
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "json_invalid"
