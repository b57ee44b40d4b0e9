"""The SMS channel: an HTTP gateway whose address, credentials and payload are configured.

One POST per message to CLIENTELA_SMS_URL, with a body built from CLIENTELA_SMS_PAYLOAD (a
JSON object whose strings may hold {to}, {from}, {text}, {reference}, {segments} and
{encoding}), sent as JSON or as a form. The provider's id is read from the answer at
CLIENTELA_SMS_ID_FIELD (a dotted path: `messages.0.id`). Each placeholder is filled once, so a
text that itself says "{to}" is sent as written. docs/configuration.md ("SMS") says more.

The number is the message's address, else the party's primary phone, in E.164; the segments
are counted before sending (`segments.sms_length`). Every refusal is a SendError with an
error class: `no_number`, `invalid_number`, `empty` (permanent, nothing was sent); `timeout`,
`unreachable`, `auth`, `throttled`, `gateway_5xx` (transient, retried); `rejected` (the
gateway refused this message with another 4xx: permanent).
"""

from __future__ import annotations

import base64
import http.client
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from clientela.consent.services.gate import contact_point_for
from clientela.core.errors import Problem
from clientela.messaging.models import Channel, Message
from clientela.messaging.services.channels import SendError, SendResult
from clientela.messaging.services.segments import sms_length
from clientela.parties.services.identity import normalize_phone

DEFAULT_PAYLOAD = '{"to": "{to}", "from": "{from}", "text": "{text}", "reference": "{reference}"}'
_PLACEHOLDER = re.compile(r"\{(to|from|text|reference|segments|encoding)\}")
_MAX_ANSWER = 2**20  # an answer longer than this is cut: the id is near its start


@dataclass(frozen=True)
class GatewayConfig:
    """Where and how the SMS gateway is called (from the CLIENTELA_SMS_* settings)."""

    url: str
    payload: dict[str, Any]
    sender_id: str = ""
    form: bool = False
    id_field: str = "id"
    timeout: float = 10.0
    headers: dict[str, str] = field(default_factory=dict)


def _payload_template(raw: str) -> dict[str, Any]:
    try:
        payload = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"CLIENTELA_SMS_PAYLOAD is not JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise ImproperlyConfigured("CLIENTELA_SMS_PAYLOAD must be a JSON object")
    return payload


def gateway_config() -> GatewayConfig | None:
    """The gateway of the settings, or None when CLIENTELA_SMS_URL is not set (no SMS)."""
    url = getattr(settings, "CLIENTELA_SMS_URL", "")
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured("CLIENTELA_SMS_URL must be an http:// or https:// address")
    fmt = getattr(settings, "CLIENTELA_SMS_FORMAT", "json")
    if fmt not in ("json", "form"):
        raise ImproperlyConfigured("CLIENTELA_SMS_FORMAT must be json or form")
    payload = _payload_template(getattr(settings, "CLIENTELA_SMS_PAYLOAD", "") or DEFAULT_PAYLOAD)
    if fmt == "form" and any(isinstance(v, dict | list) for v in payload.values()):
        raise ImproperlyConfigured("CLIENTELA_SMS_PAYLOAD must be flat to be sent as a form")
    headers = {}
    if parts.username is not None:  # credentials in the address: HTTP basic authentication
        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    if auth := getattr(settings, "CLIENTELA_SMS_AUTH_HEADER", ""):
        headers["Authorization"] = auth
    return GatewayConfig(
        url=url,
        payload=payload,
        sender_id=getattr(settings, "CLIENTELA_SMS_FROM", ""),
        form=fmt == "form",
        id_field=getattr(settings, "CLIENTELA_SMS_ID_FIELD", "id") or "id",
        timeout=float(getattr(settings, "CLIENTELA_SMS_TIMEOUT", 10)),
        headers=headers,
    )


def fill_payload(template: Any, values: dict[str, Any]) -> Any:
    """The template with each placeholder filled once; a string that is only `{segments}`
    becomes the number itself."""
    if isinstance(template, dict):
        return {key: fill_payload(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [fill_payload(value, values) for value in template]
    if not isinstance(template, str):
        return template
    whole = _PLACEHOLDER.fullmatch(template)
    if whole is not None:
        return values[whole.group(1)]
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template)


def read_field(answer: Any, path: str) -> str:
    """The value at a dotted path of a JSON answer (`messages.0.id`), or "" when absent."""
    value = answer
    for step in path.split("."):
        if isinstance(value, dict):
            value = value.get(step)
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return ""
    return "" if value is None or isinstance(value, dict | list) else str(value)[:200]


def sms_number(message: Message) -> str:
    """The E.164 number the message goes to: its address, else the party's primary phone."""
    raw = message.address
    if not raw:
        point = contact_point_for(message.party, Channel.SMS)
        raw = (point.normalized or point.value) if point is not None else ""
    if not raw:
        raise SendError("the party has no phone number", transient=False, error_class="no_number")
    try:
        return normalize_phone(raw, "ZZ" if raw.startswith("+") else None)
    except Problem as exc:
        raise SendError(
            f"{raw!r} is not a valid number", transient=False, error_class="invalid_number"
        ) from exc


def _failure(status: int, answer: bytes) -> SendError:
    said = answer[:200].decode("utf-8", "replace")
    text = f"the gateway answered {status}: {said}"
    if status in (401, 403):  # our credentials, not the message: retried while they are fixed
        return SendError(text, transient=True, error_class="auth")
    if status == 408:
        return SendError(text, transient=True, error_class="timeout")
    if status == 429:
        return SendError(text, transient=True, error_class="throttled")
    if status >= 500:
        return SendError(text, transient=True, error_class="gateway_5xx")
    return SendError(text, transient=False, error_class="rejected")


class HttpSmsSender:
    """Sends each SMS with one POST to the configured gateway."""

    channel = Channel.SMS.value

    def __init__(self, config: GatewayConfig) -> None:
        self.config = config

    def body(self, message: Message, number: str) -> tuple[bytes, str]:
        """The request body and its content type for one message."""
        text = message.body_text
        length = sms_length(text)
        values = {
            "to": number,
            "from": self.config.sender_id,
            "text": text,
            "reference": message.token,
            "segments": length.segments,
            "encoding": length.encoding,
        }
        filled = fill_payload(self.config.payload, values)
        if self.config.form:
            return urlencode({k: str(v) for k, v in filled.items()}).encode(), (
                "application/x-www-form-urlencoded"
            )
        return json.dumps(filled, ensure_ascii=False).encode(), "application/json"

    def send(self, message: Message) -> SendResult:
        """POST the message; the provider's id and the segments counted, or SendError."""
        number = sms_number(message)
        if not message.body_text.strip():
            raise SendError("the message has no text", transient=False, error_class="empty")
        segments = sms_length(message.body_text).segments
        body, content_type = self.body(message, number)
        status, answer = self._post(body, content_type)
        if not 200 <= status < 300:
            raise _failure(status, answer)
        try:
            parsed = json.loads(answer) if answer.strip() else None
        except ValueError:
            parsed = None  # taken, without an id we can read: receipts find it by reference
        return SendResult(provider_id=read_field(parsed, self.config.id_field), segments=segments)

    def _post(self, body: bytes, content_type: str) -> tuple[int, bytes]:
        parts = urlsplit(self.config.url)
        kind = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = kind(parts.hostname or "", parts.port, timeout=self.config.timeout)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {
            "Content-Type": content_type,
            "Accept": "application/json",
            "User-Agent": "Clientela",
            **self.config.headers,
        }
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read(_MAX_ANSWER)
        except TimeoutError as exc:
            raise SendError(
                "the gateway did not answer in time", transient=True, error_class="timeout"
            ) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise SendError(
                f"the gateway could not be reached: {exc}",
                transient=True,
                error_class="unreachable",
            ) from exc
        finally:
            connection.close()


def sms_sender() -> HttpSmsSender | None:
    """The configured SMS sender, or None when no gateway is configured."""
    config = gateway_config()
    return HttpSmsSender(config) if config is not None else None


def worker_sms_sender() -> HttpSmsSender:
    """The worker's SMS sender: the worker claims SMS only while a gateway is configured."""
    config = gateway_config()
    if config is None:
        raise ImproperlyConfigured("CLIENTELA_SMS_URL is not set: no SMS can be sent")
    return HttpSmsSender(config)


class MemorySmsSender:
    """The in-memory twin of the HTTP sender, for tests and demos: the same checks (number,
    text, segments), the message kept in `sent` instead of posted. `fail_with` makes the next
    sends raise that error instead."""

    channel = Channel.SMS.value

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, int]] = []  # (number, text, segments)
        self.fail_with: SendError | None = None

    def send(self, message: Message) -> SendResult:
        number = sms_number(message)
        if not message.body_text.strip():
            raise SendError("the message has no text", transient=False, error_class="empty")
        if self.fail_with is not None:
            raise self.fail_with
        segments = sms_length(message.body_text).segments
        self.sent.append((number, message.body_text, segments))
        return SendResult(provider_id=f"memory-{len(self.sent)}", segments=segments)
