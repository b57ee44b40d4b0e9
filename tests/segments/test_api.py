"""The segments API: CRUD, problem+json for bad rules, members in pages and as CSV, preview."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from pytest_django import DjangoAssertNumQueries

from clientela.accounts.models import User
from clientela.parties.models import Tag
from clientela.segments.models import Segment, StaticMember
from tests.api.problems import assert_invalid, assert_problem, counts, send
from tests.factories import make_party
from tests.segments.helpers import cond, metrics

pytestmark = pytest.mark.django_db
ApiClient = Callable[[User], Client]
AT_RISK = cond("lifecycle_state", "eq", "at_risk")


def _create(client: Client, **body: object) -> dict[str, Any]:
    response = send(client, "post", "/api/v1/segments", {"name": "At risk", **body})
    assert response.status_code == 201, response.content
    created: dict[str, Any] = json.loads(response.content)
    return created


def test_a_segment_is_created_with_its_checked_rules_and_count(
    api_client: ApiClient, manager: User
) -> None:
    metrics(make_party(), lifecycle_state="at_risk")
    body = _create(api_client(manager), rules=AT_RISK, description="Win them back")
    assert body["rules"] == AT_RISK
    assert body["member_count"] == 1
    assert body["owner"] == {"id": manager.pk, "name": str(manager)}
    assert Segment.objects.get().description == "Win them back"


def test_bad_rules_get_a_422_naming_the_rule_path_and_value(
    api_client: ApiClient, manager: User
) -> None:
    rules = {"all": [{"field": "tier", "op": "eq", "value": "gold"},
                     {"field": "clv", "op": "gte", "value": "lots"}]}  # fmt: skip
    response = send(api_client(manager), "post", "/api/v1/segments", {"name": "X", "rules": rules})
    error = assert_invalid(response, "rules.all.1.value", "lots")
    assert error["message"] == "must be a number"
    assert error["code"] == "rule_number_invalid"
    assert counts(Segment) == {"Segment": 0}


def test_a_rule_problem_answers_with_its_code_and_parameters(
    api_client: ApiClient, manager: User
) -> None:
    rules = {"all": [{"field": "lifecycle_state", "op": "gt", "value": "new"}]}
    response = send(api_client(manager), "post", "/api/v1/segments/preview", {"rules": rules})
    error = assert_invalid(response, "rules.all.0.op", "gt")
    assert error["code"] == "rule_operator_unknown"
    assert error["params"] == {
        "field": "lifecycle_state",
        "ops": "eq, ne, in, not_in, is_empty, is_not_empty",
    }


def test_an_unknown_segment_is_a_coded_404(api_client: ApiClient, manager: User) -> None:
    body = assert_problem(send(api_client(manager), "get", "/api/v1/segments/999999"), 404)
    assert body["code"] == "segment_not_found"
    assert body["detail"] == "segment 999999 not found"


def test_deeply_nested_rules_are_refused(api_client: ApiClient, manager: User) -> None:
    rules: dict[str, object] = {"all": []}
    for _level in range(200):
        rules = {"any": [rules]}
    response = send(api_client(manager), "post", "/api/v1/segments", {"name": "X", "rules": rules})
    body = assert_problem(response, 422)
    assert "groups nest more than 5 levels deep" in body["detail"]


def test_a_viewer_may_not_create_a_segment(api_client: ApiClient, viewer: User) -> None:
    response = send(api_client(viewer), "post", "/api/v1/segments", {"name": "X"})
    assert_problem(response, 403)
    assert counts(Segment) == {"Segment": 0}


def test_segments_are_listed_for_everyone_with_their_own_counts(
    api_client: ApiClient, manager: User, sales_a: User
) -> None:
    metrics(make_party(owner=sales_a), lifecycle_state="at_risk")
    metrics(make_party(), lifecycle_state="at_risk")
    _create(api_client(manager), rules=AT_RISK)
    body = json.loads(api_client(sales_a).get("/api/v1/segments").content)
    assert [(s["name"], s["member_count"]) for s in body["items"]] == [("At risk", 1)]


def test_a_segment_is_changed_and_deleted(api_client: ApiClient, manager: User) -> None:
    client = api_client(manager)
    created = _create(client, rules=AT_RISK)
    path = f"/api/v1/segments/{created['id']}"
    changed = send(client, "patch", path, {"rules": cond("tier", "eq", "gold"), "name": "Gold"})
    assert changed.status_code == 200, changed.content
    assert json.loads(changed.content)["rules"] == cond("tier", "eq", "gold")
    refused = send(client, "patch", path, {"rules": cond("tier", "gt", "gold")})
    assert_invalid(refused, "rules.all.0.op", "gt")
    assert Segment.objects.get().name == "Gold"
    assert client.delete(path).status_code == 204
    assert_problem(send(client, "get", path), 404)


def test_members_come_in_pages_with_the_party_list_shape(
    api_client: ApiClient, manager: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    vip = Tag.objects.create(name="vip")
    for n in range(7):
        party = make_party(given_name=f"P{n}", email=f"p{n}@example.com")
        party.tags.add(vip)
        metrics(party, lifecycle_state="at_risk")
    client = api_client(manager)
    segment = _create(client, rules=AT_RISK)
    path = f"/api/v1/segments/{segment['id']}/members"
    seen = []
    url = f"{path}?limit=3"
    with django_assert_max_num_queries(8):
        first = json.loads(client.get(url).content)
    seen += first["items"]
    while first["next_cursor"]:
        first = json.loads(client.get(f"{url}&cursor={first['next_cursor']}").content)
        seen += first["items"]
    assert len(seen) == 7
    assert set(seen[0]) == {
        "id",
        "kind",
        "display_name",
        "external_id",
        "owner",
        "team",
        "roles",
        "tags",
        "primary_email",
        "primary_phone",
        "created_at",
        "updated_at",
    }
    assert seen[0]["tags"] == ["vip"]


def test_member_queries_do_not_grow_with_the_page(
    api_client: ApiClient, manager: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for n in range(60):
        metrics(make_party(given_name=f"P{n}", email=f"p{n}@example.com"), lifecycle_state="new")
    client = api_client(manager)
    segment = _create(client, rules=cond("lifecycle_state", "eq", "new"))
    with django_assert_max_num_queries(8):
        response = client.get(f"/api/v1/segments/{segment['id']}/members?limit=50")
    assert len(json.loads(response.content)["items"]) == 50


def test_members_as_csv_by_format_or_by_file_name(api_client: ApiClient, manager: User) -> None:
    metrics(make_party(given_name="=cmd", email="x@example.com"), lifecycle_state="at_risk")
    client = api_client(manager)
    segment = _create(client, rules=AT_RISK)
    for url in (f"/api/v1/segments/{segment['id']}/members?format=csv",
                f"/api/v1/segments/{segment['id']}/members.csv"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert isinstance(response, StreamingHttpResponse)
        text = response.getvalue().decode()
        assert text.startswith("id,external_id,kind,display_name")
        assert "'=cmd" in text


def test_preview_counts_members_for_the_user(
    api_client: ApiClient, sales_a: User, sales_b: User
) -> None:
    metrics(make_party(given_name="Mine", owner=sales_a), lifecycle_state="at_risk")
    metrics(make_party(given_name="Theirs", owner=sales_b), lifecycle_state="at_risk")
    response = send(api_client(sales_a), "post", "/api/v1/segments/preview", {"rules": AT_RISK})
    body = json.loads(response.content)
    assert body["count"] == 1
    assert [m["display_name"].split()[0] for m in body["members"]] == ["Mine"]
    bad = send(api_client(sales_a), "post", "/api/v1/segments/preview",
               {"rules": {"all": [{"field": "nope", "op": "eq", "value": 1}]}})  # fmt: skip
    assert_invalid(bad, "rules.all.0.field", "nope")


def test_static_members_are_added_and_removed(api_client: ApiClient, manager: User) -> None:
    client = api_client(manager)
    segment = _create(client, kind="static")
    party = make_party()
    path = f"/api/v1/segments/{segment['id']}/static-members"
    assert send(client, "post", path, {"party_id": party.pk}).status_code == 201
    assert send(client, "post", path, {"party_id": party.pk}).status_code == 200
    members = json.loads(client.get(f"/api/v1/segments/{segment['id']}/members").content)
    assert [m["id"] for m in members["items"]] == [party.pk]
    assert client.delete(f"{path}/{party.pk}").status_code == 204
    assert not StaticMember.objects.exists()
    assert_problem(send(client, "post", path, {"party_id": 999999}), 404)


def test_a_static_list_refuses_rules(api_client: ApiClient, manager: User) -> None:
    response = send(api_client(manager), "post", "/api/v1/segments",
                    {"name": "List", "kind": "static", "rules": AT_RISK})  # fmt: skip
    assert_invalid(response, "rules")


def test_the_segment_list_counts_every_segment_in_one_query(
    api_client: ApiClient, manager: User, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    metrics(make_party(), lifecycle_state="at_risk", tier="gold")
    client = api_client(manager)
    for n in range(6):
        _create(client, name=f"S{n}", rules=cond("tier", "eq", "gold") if n % 2 else AT_RISK)
    _create(client, name="List", kind="static")
    with django_assert_max_num_queries(5):
        body = json.loads(client.get("/api/v1/segments").content)
    assert [s["member_count"] for s in body["items"]] == [1, 1, 1, 1, 1, 1, 0]
