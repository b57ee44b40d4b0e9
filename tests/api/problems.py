"""Assertions on RFC 9457 problem documents and on row counts, shared by the API tests."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Model
from django.http import HttpResponse

PROBLEM = "application/problem+json"


def send(client: Any, method: str, path: str, body: Any = None) -> HttpResponse:
    """Call the API with a JSON body."""
    call = getattr(client, method.lower())
    if body is None:
        return call(path)  # type: ignore[no-any-return]
    return call(path, data=json.dumps(body), content_type="application/json")  # type: ignore[no-any-return]


def assert_problem(response: HttpResponse, status: int) -> dict[str, Any]:
    """The response is a problem document with this status; returns its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = json.loads(response.content)
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    return body


def assert_invalid(response: HttpResponse, field: str, value: Any = ...) -> dict[str, Any]:
    """A 422 whose errors name `field` (and the `value` sent, when given)."""
    body = assert_problem(response, 422)
    matching = [e for e in body["errors"] if e["field"] == field]
    assert matching, f"no error for {field!r} in {body['errors']}"
    assert set(matching[0]) >= {"field", "value", "message"}
    assert matching[0]["message"]
    if value is not ...:
        assert matching[0]["value"] == value, matching[0]
    return matching[0]


def counts(*models: type[Model]) -> dict[str, int]:
    """Row counts, to show that a refused request wrote nothing."""
    return {m.__name__: m.objects.count() for m in models}  # type: ignore[attr-defined]
