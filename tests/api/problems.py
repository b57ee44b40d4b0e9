"""Assertions on RFC 9457 problem documents, row counts and cursor paging, shared by the API
tests."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.db.models import Model
from django.http import HttpResponse

if TYPE_CHECKING:  # the test client's response type exists in django-stubs only
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

PROBLEM = "application/problem+json"


def send(client: Any, method: str, path: str, body: Any = None) -> TestResponse:
    """Call the API with a JSON body."""
    call = getattr(client, method.lower())
    response: TestResponse = (
        call(path)
        if body is None
        else call(path, data=json.dumps(body), content_type="application/json")
    )
    return response


def assert_problem(response: HttpResponse | TestResponse, status: int) -> dict[str, Any]:
    """The response is a problem document with this status; returns its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = json.loads(response.content)
    assert body["status"] == status
    assert {"type", "title", "detail", "code"} <= body.keys()
    assert body["code"], "every problem names what went wrong with a code"
    return body


def assert_invalid(
    response: HttpResponse | TestResponse, field: str, value: Any = ...
) -> dict[str, Any]:
    """A 422 whose errors name `field` (and the `value` sent, when given)."""
    body = assert_problem(response, 422)
    matching = [e for e in body["errors"] if e["field"] == field]
    assert matching, f"no error for {field!r} in {body['errors']}"
    assert set(matching[0]) >= {"field", "value", "code", "message"}
    assert matching[0]["message"]
    if value is not ...:
        assert matching[0]["value"] == value, matching[0]
    error: dict[str, Any] = matching[0]
    return error


def counts(*models: type[Model]) -> dict[str, int]:
    """Row counts, to show that a refused request wrote nothing."""
    return {m.__name__: m._default_manager.count() for m in models}


def walk_pages(client: Any, url: str, limit: int, **query: Any) -> list[list[dict[str, Any]]]:
    """Every page of a cursor-paginated list, following next_cursor until it is null."""
    pages: list[list[dict[str, Any]]] = []
    cursor = None
    while True:
        params = {"limit": limit, **query, **({"cursor": cursor} if cursor else {})}
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        body = response.json()
        assert len(body["items"]) <= limit
        pages.append(body["items"])
        if not (cursor := body["next_cursor"]):
            return pages
