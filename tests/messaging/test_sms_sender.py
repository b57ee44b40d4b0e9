"""The SMS sender against a real HTTP gateway on this machine (http.server in a thread)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from django.core.exceptions import ImproperlyConfigured
from pytest_django.fixtures import Settings

from clientela.messaging.services.channels import Sender, SendError, SendResult
from clientela.messaging.services.delivery import drain
from clientela.messaging.services.sms import (
    HttpSmsSender,
    MemorySmsSender,
    fill_payload,
    read_field,
    sms_sender,
)
from tests.consent.conftest import grant
from tests.factories import make_party
from tests.messaging.sms_support import make_sms

pytestmark = pytest.mark.django_db


@dataclass
class Gateway:
    """A local gateway: records each request and answers with the next reply."""

    url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    replies: list[tuple[int, bytes, float]] = field(default_factory=list)

    def answer(self, status: int, body: Any = None, *, delay: float = 0.0) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
        self.replies.append((status, raw, delay))


@pytest.fixture
def gateway(settings: Settings) -> Iterator[Gateway]:
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.requests.append(
                {
                    "path": self.path,
                    "headers": dict(self.headers.items()),
                    "body": self.rfile.read(length),
                }
            )
            status, body, delay = state.replies.pop(0) if state.replies else (200, b"{}", 0)
            time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/send?account=shop"
    settings.CLIENTELA_SMS_URL = state.url
    settings.CLIENTELA_SMS_FROM = "Shop"
    settings.CLIENTELA_SMS_TIMEOUT = 1.0
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


def _sender() -> HttpSmsSender:
    sender = sms_sender()
    assert sender is not None
    return sender


def test_a_message_is_posted_as_configured_and_the_result_names_the_provider_id(
    gateway: Gateway,
) -> None:
    message = make_sms(make_party(phone="+351912345678"), state="leased", provider_id="")
    gateway.answer(200, {"id": "gw-42"})
    result = _sender().send(message)
    assert result == SendResult(provider_id="gw-42", segments=1)
    (request,) = gateway.requests
    assert request["path"] == "/send?account=shop"
    assert request["headers"]["Content-Type"] == "application/json"
    assert json.loads(request["body"]) == {
        "to": "+351912345678",
        "from": "Shop",
        "text": "Hello from the shop",
        "reference": message.token,
    }


def test_the_segments_are_counted_before_sending(gateway: Gateway) -> None:
    message = make_sms(make_party(phone="+351912345678"), body_text="Olá " * 20)  # UCS-2, 80
    gateway.answer(200, {"id": "x"})
    assert _sender().send(message).segments == 2


def test_the_payload_template_and_id_field_follow_the_settings(
    gateway: Gateway, settings: Settings
) -> None:
    settings.CLIENTELA_SMS_PAYLOAD = json.dumps(
        {"messages": [{"destinations": [{"to": "{to}"}], "text": "{text}", "n": "{segments}"}]}
    )
    settings.CLIENTELA_SMS_ID_FIELD = "messages.0.messageId"
    message = make_sms(make_party(phone="+351912345678"), body_text="Code {to} €")
    gateway.answer(200, {"messages": [{"messageId": "abc-1", "status": "PENDING"}]})
    assert _sender().send(message) == SendResult("abc-1", 1)
    sent = json.loads(gateway.requests[0]["body"])
    # each placeholder is filled once: a text that says "{to}" is sent as written
    assert sent == {
        "messages": [{"destinations": [{"to": "+351912345678"}], "text": "Code {to} €", "n": 1}]
    }


def test_a_form_gateway_with_credentials_in_its_address(
    gateway: Gateway, settings: Settings
) -> None:
    settings.CLIENTELA_SMS_URL = gateway.url.replace("http://", "http://shop:p%40ss@")
    settings.CLIENTELA_SMS_FORMAT = "form"
    settings.CLIENTELA_SMS_PAYLOAD = '{"To": "{to}", "Body": "{text}", "Coding": "{encoding}"}'
    settings.CLIENTELA_SMS_ID_FIELD = "sid"
    gateway.answer(201, {"sid": "SM1"})
    message = make_sms(make_party(phone="+351912345678"), body_text="Até já")
    assert _sender().send(message).provider_id == "SM1"
    request = gateway.requests[0]
    assert request["headers"]["Authorization"] == "Basic c2hvcDpwQHNz"  # shop:p@ss
    assert parse_qs(request["body"].decode()) == {
        "To": ["+351912345678"],
        "Body": ["Até já"],
        "Coding": ["ucs2"],
    }


def test_an_authorization_header_from_the_settings(gateway: Gateway, settings: Settings) -> None:
    settings.CLIENTELA_SMS_AUTH_HEADER = "App 0123abcd"
    _sender().send(make_sms(make_party(phone="+351912345678")))
    assert gateway.requests[0]["headers"]["Authorization"] == "App 0123abcd"


def test_the_address_of_the_message_comes_before_the_partys_phone(gateway: Gateway) -> None:
    message = make_sms(make_party(phone="+351912345678"), address="+34612345678")
    _sender().send(message)
    assert json.loads(gateway.requests[0]["body"])["to"] == "+34612345678"


def test_an_answer_without_an_id_is_still_a_send(gateway: Gateway) -> None:
    gateway.answer(202, b"queued")
    result = _sender().send(make_sms(make_party(phone="+351912345678")))
    assert result == SendResult(provider_id="", segments=1)


@pytest.mark.parametrize(
    ("status", "transient", "error_class"),
    [
        (400, False, "rejected"),
        (404, False, "rejected"),
        (422, False, "rejected"),
        (401, True, "auth"),
        (403, True, "auth"),
        (408, True, "timeout"),
        (429, True, "throttled"),
        (500, True, "gateway_5xx"),
        (502, True, "gateway_5xx"),
        (503, True, "gateway_5xx"),
    ],
)
def test_a_refusal_is_a_send_error_with_its_class(
    gateway: Gateway, status: int, transient: bool, error_class: str
) -> None:
    gateway.answer(status, {"error": "no"})
    with pytest.raises(SendError) as caught:
        _sender().send(make_sms(make_party(phone="+351912345678")))
    assert (caught.value.transient, caught.value.error_class) == (transient, error_class)


def test_a_gateway_that_does_not_answer_in_time_is_a_transient_timeout(
    gateway: Gateway, settings: Settings
) -> None:
    settings.CLIENTELA_SMS_TIMEOUT = 0.2
    gateway.answer(200, {"id": "late"}, delay=1.0)
    with pytest.raises(SendError) as caught:
        _sender().send(make_sms(make_party(phone="+351912345678")))
    assert (caught.value.transient, caught.value.error_class) == (True, "timeout")


def test_a_gateway_that_is_not_there_is_unreachable(settings: Settings) -> None:
    settings.CLIENTELA_SMS_URL = "http://127.0.0.1:9/send"  # the discard port: nobody listens
    with pytest.raises(SendError) as caught:
        _sender().send(make_sms(make_party(phone="+351912345678")))
    assert (caught.value.transient, caught.value.error_class) == (True, "unreachable")


@pytest.mark.parametrize(
    ("phone", "address", "error_class"),
    [
        (None, "", "no_number"),
        (None, "+351 12", "invalid_number"),
        (None, "not a number", "invalid_number"),
        ("+3519123", "", "invalid_number"),
    ],
)
def test_a_message_without_a_valid_number_is_never_posted(
    gateway: Gateway, phone: str | None, address: str, error_class: str
) -> None:
    message = make_sms(make_party(phone=phone), address=address)
    with pytest.raises(SendError) as caught:
        _sender().send(message)
    assert (caught.value.transient, caught.value.error_class) == (False, error_class)
    assert gateway.requests == []


def test_a_message_without_text_is_never_posted(gateway: Gateway) -> None:
    with pytest.raises(SendError) as caught:
        _sender().send(make_sms(make_party(phone="+351912345678"), body_text="  "))
    assert caught.value.error_class == "empty"
    assert gateway.requests == []


def test_the_sender_is_the_channel_seams_sender(gateway: Gateway) -> None:
    sender: Sender = _sender()
    assert sender.channel == "sms"


def test_no_gateway_configured_means_no_sender(settings: Settings) -> None:
    settings.CLIENTELA_SMS_URL = ""
    assert sms_sender() is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CLIENTELA_SMS_URL", "ftp://gateway/send"),
        ("CLIENTELA_SMS_FORMAT", "xml"),
        ("CLIENTELA_SMS_PAYLOAD", "{not json"),
        ("CLIENTELA_SMS_PAYLOAD", '["{to}"]'),
    ],
)
def test_a_wrong_setting_is_refused_at_start(settings: Settings, name: str, value: str) -> None:
    settings.CLIENTELA_SMS_URL = "http://127.0.0.1:9/send"
    setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured):
        sms_sender()


def test_a_form_payload_must_be_flat(settings: Settings) -> None:
    settings.CLIENTELA_SMS_URL = "http://127.0.0.1:9/send"
    settings.CLIENTELA_SMS_FORMAT = "form"
    settings.CLIENTELA_SMS_PAYLOAD = '{"to": {"number": "{to}"}}'
    with pytest.raises(ImproperlyConfigured):
        sms_sender()


def test_placeholders_fill_whole_values_and_parts_of_strings() -> None:
    values = {
        "to": "+1",
        "from": "",
        "text": "{from}",
        "reference": "r",
        "segments": 3,
        "encoding": "gsm7",
    }
    template = {"a": "{segments}", "b": "n={segments}", "c": ["{text}", 5, None]}
    assert fill_payload(template, values) == {"a": 3, "b": "n=3", "c": ["{from}", 5, None]}


@pytest.mark.parametrize(
    ("answer", "path", "found"),
    [
        ({"id": 7}, "id", "7"),
        ({"a": {"b": "x"}}, "a.b", "x"),
        ({"a": [{"b": "x"}]}, "a.0.b", "x"),
        ({"a": []}, "a.0.b", ""),
        ({"a": {"b": {"c": 1}}}, "a.b", ""),
        (None, "id", ""),
        ("text", "id", ""),
    ],
)
def test_the_provider_id_is_read_at_a_dotted_path(answer: Any, path: str, found: str) -> None:
    assert read_field(answer, path) == found


def test_the_in_memory_twin_checks_as_the_gateway_sender_does() -> None:
    twin = MemorySmsSender()
    sender: Sender = twin
    assert sender.send(make_sms(make_party(phone="+351912345678"), body_text="€" * 81)) == (
        SendResult("memory-1", 2)
    )
    assert twin.sent == [("+351912345678", "€" * 81, 2)]
    with pytest.raises(SendError) as caught:
        twin.send(make_sms(make_party()))
    assert caught.value.error_class == "no_number"
    twin.fail_with = SendError("down", transient=True, error_class="gateway_5xx")
    with pytest.raises(SendError):
        twin.send(make_sms(make_party(phone="+351912345678")))
    assert len(twin.sent) == 1


def test_the_worker_sends_sms_through_the_configured_gateway_and_holds_them_without_one(
    gateway: Gateway, settings: Settings
) -> None:
    party = make_party(phone="+351912345678")
    grant(party, channel="sms")
    message = make_sms(party, state="queued", provider_id="")
    settings.CLIENTELA_SMS_URL = ""
    assert drain().total == 0  # no gateway: the message waits in the outbox
    message.refresh_from_db()
    assert message.state == "queued"
    settings.CLIENTELA_SMS_URL = gateway.url
    gateway.answer(200, {"id": "gw-7"})
    drain()
    message.refresh_from_db()
    assert (message.state, message.provider_id) == ("sent", "gw-7")
    (request,) = gateway.requests
    assert json.loads(request["body"])["to"] == "+351912345678"
