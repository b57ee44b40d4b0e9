"""The API describes itself: OpenAPI document and interactive docs, served without a token."""

from __future__ import annotations

import pytest
from django.test import Client


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
