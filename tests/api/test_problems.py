"""Every error the API answers is a problem document with a code, whatever went wrong."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client, RequestFactory

from clientela.accounts.models import User
from clientela.api import api
from tests.api.problems import assert_problem

ApiClient = Callable[[User], Client]


@pytest.mark.django_db
def test_a_request_without_a_token_is_unauthenticated() -> None:
    response = Client().get("/api/v1/parties")
    body = assert_problem(response, 401)
    assert body["code"] == "unauthenticated"
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "delete"])
@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/parties/1/nothing", "/api/v1/"])
def test_an_address_no_route_serves_is_a_problem(
    manager: User, api_client: ApiClient, method: str, path: str
) -> None:
    response = getattr(api_client(manager), method)(path)
    assert assert_problem(response, 404)["code"] == "route_not_found"


@pytest.mark.django_db
def test_an_unknown_address_answers_without_a_token_or_a_csrf_token() -> None:
    response = Client(enforce_csrf_checks=True).post("/api/v1/nothing-here", {})
    assert assert_problem(response, 404)["code"] == "route_not_found"


@pytest.mark.django_db
def test_a_body_that_is_not_json_is_a_problem(manager: User, api_client: ApiClient) -> None:
    response = api_client(manager).post(
        "/api/v1/interactions", data="{nope", content_type="application/json"
    )
    assert assert_problem(response, 400)["code"] == "json_invalid"


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [(Http404(), 404, "not_found"), (PermissionDenied(), 403, "forbidden")],
)
def test_django_s_own_errors_raised_in_a_route_are_problems(
    error: Exception, status: int, code: str
) -> None:
    request = RequestFactory().get("/api/v1/parties")
    response = api.on_exception(request, error)
    assert assert_problem(response, status)["code"] == code
