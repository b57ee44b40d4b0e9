"""The API describes itself: OpenAPI document and interactive docs, served without a token."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.segments.models import Segment, SegmentKind


@pytest.mark.django_db
def test_the_openapi_document_lists_every_route() -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {
        "/api/v1/parties",
        "/api/v1/parties/{party_id}",
        "/api/v1/parties/{party_id}/timeline",
        "/api/v1/interactions",
        "/api/v1/orders",
        "/api/v1/orders/bulk",
    } <= paths.keys()
    assert {"get", "post"} <= paths["/api/v1/parties"].keys()
    assert {"get", "patch", "delete"} <= paths["/api/v1/parties/{party_id}"].keys()
    schemes = response.json()["components"]["securitySchemes"]
    assert next(iter(schemes.values()))["scheme"] == "bearer"


@pytest.mark.django_db
def test_the_timeline_keeps_its_operation_where_the_parties_are() -> None:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    operation = paths["/api/v1/parties/{party_id}/timeline"]["get"]
    assert operation["operationId"] == "clientela_parties_api_party_timeline"
    assert operation["tags"] == ["parties"]
    assert operation["summary"] == "A party's timeline"
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/TimelinePage"
    }


@pytest.mark.django_db
def test_the_docs_page_renders_from_bundled_assets_without_a_token() -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def _operations() -> dict[tuple[str, str], dict[str, Any]]:
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    return {(m, p): op for p, item in paths.items() for m, op in item.items()}


@pytest.mark.django_db
def test_the_problem_document_is_declared_once_and_every_problem_refers_to_it() -> None:
    document = Client().get("/api/v1/openapi.json").json()
    components = document["components"]
    assert {"type", "title", "status", "detail", "code"} <= set(
        components["schemas"]["Problem"]["required"]
    )
    for name, response in components["responses"].items():
        assert response["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }, name
    for (method, path), operation in _operations().items():
        for status, response in operation["responses"].items():
            if int(status) >= 400 and "$ref" in response:
                name = response["$ref"].removeprefix("#/components/responses/")
                assert name in components["responses"], (method, path, status)


@pytest.mark.django_db
def test_every_operation_declares_the_problems_its_shape_implies() -> None:
    for (method, path), operation in _operations().items():
        declared = set(operation["responses"])
        where = (method, path)
        # An unknown query parameter; a throttled door or bad tokens; a busy database.
        assert {"422", "429", "503"} <= declared, where
        if operation.get("security"):
            assert "401" in declared, where
        if "{" in path:
            assert "404" in declared, where
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            assert "400" in declared, where


@pytest.mark.django_db
def test_every_write_declares_the_403_of_read_only_roles() -> None:
    reads_by_post = {("post", "/api/v1/segments/preview")}
    for (method, path), operation in _operations().items():
        if method != "get" and operation.get("security") and (method, path) not in reads_by_post:
            assert "403" in operation["responses"], (method, path)
    assert "403" not in _operations()[("post", "/api/v1/segments/preview")]["responses"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "statuses"),
    [
        ("post", "/api/v1/parties", {"409"}),
        ("patch", "/api/v1/parties/{party_id}", {"409"}),
        ("post", "/api/v1/parties/{party_id}/merge", {"409"}),
        ("post", "/api/v1/interactions", {"404", "409"}),
        ("get", "/api/v1/interactions", {"404"}),
        ("post", "/api/v1/orders", {"404", "409"}),
        ("get", "/api/v1/orders", {"404"}),
        ("post", "/api/v1/orders/bulk", {"413"}),
        ("post", "/api/v1/parties/{party_id}/consents", {"409"}),
        ("post", "/api/v1/privacy-requests", {"404", "409"}),
        ("post", "/api/v1/privacy-requests/{request_id}/act", {"409"}),
        ("post", "/api/v1/duplicates/{pair_id}/not-duplicate", {"409"}),
        ("post", "/api/v1/public/signups", {"429"}),
        ("post", "/api/v1/public/unsubscribe", {"429"}),
    ],
)
def test_operations_declare_the_problems_their_services_answer(
    method: str, path: str, statuses: set[str]
) -> None:
    assert statuses <= set(_operations()[(method, path)]["responses"])


@pytest.mark.django_db
def test_the_bulk_body_declares_each_line_as_an_order() -> None:
    body = _operations()[("post", "/api/v1/orders/bulk")]["requestBody"]
    assert body["content"]["application/x-ndjson"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/OrderCreate"},
    }


@pytest.mark.django_db
def test_the_members_list_declares_its_csv_answer(
    admin: User, api_client: Callable[[User], Client]
) -> None:
    segment = Segment.objects.create(name="List", kind=SegmentKind.STATIC, owner=admin)
    answer = api_client(admin).get(f"/api/v1/segments/{segment.pk}/members?format=csv")
    operation = _operations()[("get", "/api/v1/segments/{segment_id}/members")]
    media_type = answer["Content-Type"].split(";")[0]
    assert media_type in operation["responses"]["200"]["content"]
