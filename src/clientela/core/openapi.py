"""The problem documents the API answers, as the OpenAPI document declares them.

The problem+json schema and one reusable response per status are declared once, under
`components`. The shell adds the statuses that follow from an operation's shape (`declare`);
a route declares those its services decide with `problems(...)` in its `openapi_extra`:

    @router.post("", response={201: PartyOut}, openapi_extra=problems(403, 409))

tests/api/test_schema_fuzz.py checks that every status an operation answers is declared.
"""

from __future__ import annotations

from typing import Any

PROBLEM_MEDIA_TYPE = "application/problem+json"

# A status, the name of its reusable response and what it means to a client.
RESPONSES: dict[int, tuple[str, str]] = {
    400: ("BadRequest", "The body is not valid JSON."),
    401: ("Unauthenticated", "A valid API token is required."),
    403: ("Forbidden", "Your role may not do this; viewers change nothing."),
    404: ("NotFound", "Nothing you may see has this id."),
    409: ("Conflict", "The request conflicts with what is stored (an id already used, …)."),
    413: ("ContentTooLarge", "The body is larger than this operation accepts."),
    422: (
        "Invalid",
        "Input breaks a rule, or a query parameter is not one this operation takes: each entry "
        "of `errors` names the field or parameter, the value sent and a code.",
    ),
    429: ("TooManyRequests", "Too many tries; retry after the `Retry-After` seconds."),
    503: ("Unavailable", "The server is busy; retry after the `Retry-After` seconds."),
}

_RETRY_AFTER = {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "`Bearer`.", "schema": {"type": "string"}}},
    429: {"Retry-After": _RETRY_AFTER},
    503: {"Retry-After": _RETRY_AFTER},
}

SCHEMAS: dict[str, Any] = {
    "Problem": {
        "title": "Problem",
        "description": "An RFC 9457 problem document; `code` says what went wrong, for programs.",
        "type": "object",
        "required": ["type", "title", "status", "detail", "code"],
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string", "description": "In the language of Accept-Language."},
            "code": {"type": "string", "description": "A stable snake_case code."},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldProblem"}},
        },
    },
    "FieldProblem": {
        "title": "FieldProblem",
        "description": "One broken rule: the field (or query parameter), the value sent, a code.",
        "type": "object",
        "required": ["field", "value", "code", "message"],
        "properties": {
            "line": {"type": "integer", "description": "The 1-based line of a bulk body."},
            "field": {"type": "string"},
            "value": {"description": "The value sent, cut to 200 characters."},
            "code": {"type": "string"},
            "message": {"type": "string"},
            "params": {"type": "object", "description": "The values the message names."},
        },
    },
}

_WRITES = {"post", "put", "patch", "delete"}


def problems(
    *statuses: int, responses: dict[int, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """The `openapi_extra` of a route whose services answer these problem statuses.

    `responses` and `extra` are merged in, for a route that declares more of its own.
    """
    declared = {status: _ref(status) for status in statuses}
    return {"responses": {**declared, **(responses or {})}, **extra}


def declare(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the problem schema, its responses and the statuses every operation's shape implies.

    Every operation answers 422 (a query parameter it does not take, at least), 429 (repeated
    bad tokens are throttled, and every public operation is a throttled door) and 503 (the
    database busy past its wait); one that needs a token answers 401; one with an id in its
    path answers 404; one with a JSON body answers 400 when the body is not JSON.
    """
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {}).update(SCHEMAS)
    components["responses"] = {
        name: _response(status, description) for status, (name, description) in RESPONSES.items()
    }
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method in _WRITES or method == "get":
                _declare_shape(operation)
    return schema


def _declare_shape(operation: dict[str, Any]) -> None:
    implied = {422, 429, 503}
    if operation.get("security"):
        implied.add(401)
    if any(p.get("in") == "path" for p in operation.get("parameters", [])):
        implied.add(404)
    if "application/json" in operation.get("requestBody", {}).get("content", {}):
        implied.add(400)
    responses = operation.setdefault("responses", {})
    for status in implied:
        responses.setdefault(status, _ref(status))
    operation["responses"] = dict(sorted(responses.items(), key=lambda item: int(item[0])))


def _ref(status: int) -> dict[str, str]:
    return {"$ref": f"#/components/responses/{RESPONSES[status][0]}"}


def _response(status: int, description: str) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status in _HEADERS:
        response["headers"] = _HEADERS[status]
    return response
