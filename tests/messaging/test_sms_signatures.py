"""The SMS callbacks are signed (Standard Webhooks): bad, old and replayed calls are refused."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django.fixtures import Settings

from clientela.core.errors import Forbidden
from clientela.messaging.models import SignedCallback
from clientela.messaging.services.callbacks import (
    SIGNATURE_HEADER,
    signature,
    signed_headers,
    verify,
    webhook_secret,
)
from tests.factories import make_party
from tests.messaging.sms_support import KEY, SECRET, make_sms, post_signed

pytestmark = pytest.mark.django_db
URL = "/api/v1/public/sms/receipts"
INBOUND = "/api/v1/public/sms/inbound"


@pytest.fixture(autouse=True)
def _secret(settings: Settings) -> None:
    settings.CLIENTELA_SMS_WEBHOOK_SECRET = SECRET
    settings.CLIENTELA_PUBLIC_RATE_LIMIT = 5


def _receipt() -> dict[str, str]:
    message = make_sms(make_party())
    return {"provider_id": message.provider_id, "status": "delivered"}


def test_the_signature_is_the_standard_webhooks_one() -> None:
    # The example of the Standard Webhooks specification, computed by its own libraries.
    spec_key = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    body = b'{"test": 2432232314}'
    assert (
        signature(spec_key, "msg_p5jXN8AQM9LWM0D4loKWxJek", "1614265330", body)
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_a_whsec_secret_is_its_base64_key_and_any_other_is_its_text(settings: Settings) -> None:
    assert webhook_secret() == KEY
    settings.CLIENTELA_SMS_WEBHOOK_SECRET = "plain words"
    assert webhook_secret() == b"plain words"


def test_a_signed_receipt_is_taken(client: Client) -> None:
    assert post_signed(client, URL, _receipt()).status_code == 200


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_callback_without_its_headers_is_refused(client: Client, missing: str) -> None:
    body = json.dumps(_receipt()).encode()
    headers = signed_headers(KEY, "msg_1", body, timezone.now())
    del headers[missing]
    response = client.post(URL, body, content_type="application/json", headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "sms_signature_missing"


def test_a_callback_signed_with_another_key_is_refused(client: Client) -> None:
    response = post_signed(client, URL, _receipt(), key=b"a guess")
    assert response.status_code == 403
    assert response.json()["code"] == "sms_signature_invalid"
    assert not SignedCallback.objects.exists()


def test_a_body_changed_after_signing_is_refused(client: Client) -> None:
    body = json.dumps(_receipt()).encode()
    headers = signed_headers(KEY, "msg_1", body, timezone.now())
    tampered = body.replace(b"delivered", b"failed")
    response = client.post(URL, tampered, content_type="application/json", headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "sms_signature_invalid"


@pytest.mark.parametrize("shift", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_a_callback_signed_too_long_ago_or_ahead_is_refused(
    client: Client, shift: timedelta
) -> None:
    response = post_signed(client, URL, _receipt(), at=timezone.now() + shift)
    assert response.status_code == 403
    assert response.json()["code"] == "sms_timestamp_stale"
    assert response.json()["detail"].endswith("at most 300 are allowed")


def test_a_callback_within_the_tolerance_is_taken(client: Client) -> None:
    response = post_signed(client, URL, _receipt(), at=timezone.now() - timedelta(minutes=4))
    assert response.status_code == 200


def test_a_timestamp_that_is_not_unix_seconds_is_refused() -> None:
    headers = {"webhook-id": "m", "webhook-timestamp": "2026-12-07", SIGNATURE_HEADER: "v1,x"}
    with pytest.raises(Forbidden) as caught:
        verify(headers, b"{}")
    assert caught.value.code == "sms_timestamp_invalid"


def test_a_replayed_callback_is_refused(client: Client) -> None:
    receipt = _receipt()
    assert post_signed(client, URL, receipt, webhook_id="msg_once").status_code == 200
    replay = post_signed(client, URL, receipt, webhook_id="msg_once")
    assert replay.status_code == 409
    assert replay.json()["code"] == "sms_callback_replayed"


def test_during_a_rotation_either_secret_signs(client: Client) -> None:
    body = json.dumps(_receipt()).encode()
    at = timezone.now()
    headers = signed_headers(KEY, "msg_rot", body, at)
    old = signature(b"the old key", "msg_rot", headers["webhook-timestamp"], body)
    headers[SIGNATURE_HEADER] = f"{old} {headers[SIGNATURE_HEADER]}"
    response = client.post(URL, body, content_type="application/json", headers=headers)
    assert response.status_code == 200


def test_without_a_secret_the_callbacks_are_off(client: Client, settings: Settings) -> None:
    settings.CLIENTELA_SMS_WEBHOOK_SECRET = ""
    for url in (URL, INBOUND):
        response = post_signed(client, url, _receipt())
        assert response.status_code == 404
        assert response.json()["code"] == "sms_callbacks_off"


def test_a_forger_is_throttled_and_the_gateway_is_not(client: Client) -> None:
    for _ in range(5):
        assert post_signed(client, URL, _receipt(), key=b"guess").status_code == 403
    refused = post_signed(client, URL, _receipt())  # even a good one from that address
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    # the gateway's own address: many good callbacks, never held back
    for _ in range(8):
        assert post_signed(client, URL, _receipt(), address="198.51.100.7").status_code == 200


def test_ids_older_than_a_day_are_forgotten(client: Client) -> None:
    old = timezone.now() - timedelta(days=2)
    SignedCallback.objects.create(webhook_id="msg_ancient", received_at=old)
    post_signed(client, URL, _receipt())
    assert not SignedCallback.objects.filter(webhook_id="msg_ancient").exists()


def _at(seconds: int) -> datetime:
    return timezone.now() - timedelta(seconds=seconds)


def test_the_tolerance_follows_the_setting(client: Client, settings: Settings) -> None:
    settings.CLIENTELA_SMS_WEBHOOK_TOLERANCE = 30
    assert post_signed(client, URL, _receipt(), at=_at(60)).status_code == 403
    assert post_signed(client, URL, _receipt(), at=_at(10)).status_code == 200
