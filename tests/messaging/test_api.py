"""The templates API: CRUD with 422s that name the variable, filter or tag; previews that
respect who may see which party; audit entries for each change."""

from __future__ import annotations

from typing import Any

import pytest
from pytest_django import DjangoAssertNumQueries

from clientela.accounts.models import AuditEntry, Role, User
from clientela.messaging.models import Template
from clientela.segments.models import Segment
from tests.factories import api_client, make_party, make_user
from tests.messaging.conftest import MakeTemplate

pytestmark = pytest.mark.django_db

BODY: dict[str, Any] = {
    "name": "Welcome",
    "channel": "email",
    "purpose": "marketing",
    "default_language": "en",
    "variants": [
        {"language": "en", "subject": "Hi {{ party.first_name }}", "body": "<p>Welcome</p>"},
        {"language": "pt", "subject": "Olá {{ party.first_name }}", "body": "<p>Bem-vindo</p>"},
    ],
}


def _post(user: User, body: dict[str, Any]) -> Any:
    return api_client(user).post("/api/v1/templates", body, content_type="application/json")


def test_create_read_change_and_archive(marketer: User) -> None:
    created = _post(marketer, BODY)
    assert created.status_code == 201, created.json()
    template_id = created.json()["id"]
    assert created.json()["languages"] == ["en", "pt"]
    client = api_client(marketer)
    changed = client.patch(
        f"/api/v1/templates/{template_id}",
        {"name": "Welcome 2", "default_language": "pt"},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["name"], changed.json()["default_language"]) == ("Welcome 2", "pt")
    assert client.delete(f"/api/v1/templates/{template_id}").status_code == 204
    assert client.get("/api/v1/templates").json()["items"] == []
    archived = client.get("/api/v1/templates?archived=true").json()["items"]
    assert [t["id"] for t in archived] == [template_id]
    entries = AuditEntry.objects.filter(target_kind="template").order_by("pk")
    actions = list(entries.values_list("action", "target_id"))
    assert actions == [
        ("template.created", str(template_id)),
        ("template.changed", str(template_id)),
        ("template.archived", str(template_id)),
    ]


def test_an_unknown_variable_is_a_422_naming_it(marketer: User) -> None:
    body = {**BODY, "variants": [{"language": "en", "subject": "x", "body": "{{ config }}"}]}
    answer = _post(marketer, body)
    assert answer.status_code == 422
    (error,) = answer.json()["errors"]
    assert (error["field"], error["code"], error["value"]) == (
        "variants.0.body",
        "template_variable_unknown",
        "config",
    )
    assert Template.objects.count() == 0


def test_a_bad_language_tag_and_a_missing_default(marketer: User) -> None:
    body = {
        **BODY,
        "default_language": "de",
        "variants": [{**BODY["variants"][0], "language": "e n"}],
    }
    answer = _post(marketer, body)
    assert answer.status_code == 422
    assert {e["code"] for e in answer.json()["errors"]} == {"language_tag_invalid"}
    answer = _post(marketer, {**BODY, "default_language": "de"})
    assert [e["code"] for e in answer.json()["errors"]] == ["default_language_missing"]


def test_a_taken_name_is_a_conflict(marketer: User) -> None:
    assert _post(marketer, BODY).status_code == 201
    answer = _post(marketer, {**BODY, "name": "WELCOME"})
    assert (answer.status_code, answer.json()["code"]) == (409, "template_name_taken")


def test_a_viewer_may_not_write_templates(viewer: User) -> None:
    answer = _post(viewer, BODY)
    assert answer.status_code == 403
    assert Template.objects.count() == 0


def test_preview_for_a_party_says_which_variant_and_why(
    marketer: User, make_template: MakeTemplate
) -> None:
    template = make_template(
        variants={
            "en": {"subject": "Hi {{ party.first_name }}", "body": "<p>x</p>"},
            "pt": {"subject": "Olá {{ party.first_name }}", "body": "<p>x</p>"},
        }
    )
    party = make_party(given_name="Rita", language="pt-BR")
    answer = api_client(marketer).get(
        f"/api/v1/templates/{template.pk}/preview?party_id={party.pk}"
    )
    assert answer.status_code == 200, answer.json()
    (item,) = answer.json()["items"]
    assert (item["subject"], item["language"], item["reason"]) == ("Olá Rita", "pt", "language")


def test_preview_of_a_party_the_user_may_not_see_is_a_404(
    sales_a: User, sales_b: User, make_template: MakeTemplate
) -> None:
    template = make_template()
    theirs = make_party(owner=sales_b, team=sales_b.team)
    answer = api_client(sales_a).get(
        f"/api/v1/templates/{template.pk}/preview?party_id={theirs.pk}"
    )
    assert answer.status_code == 404
    assert "Tester" not in answer.content.decode()


def test_preview_of_a_segment_is_a_sample_of_20_the_user_sees(
    sales_a: User, sales_b: User, make_template: MakeTemplate
) -> None:
    template = make_template()
    mine = [make_party(owner=sales_a, team=sales_a.team) for _ in range(25)]
    make_party(owner=sales_b, team=sales_b.team)
    segment = Segment.objects.create(name="All", kind="rules", rules={"all": []}, owner=sales_a)
    answer = api_client(sales_a).get(
        f"/api/v1/templates/{template.pk}/preview?segment_id={segment.pk}"
    )
    assert answer.status_code == 200, answer.json()
    items = answer.json()["items"]
    assert len(items) == 20
    assert {i["party_id"] for i in items} <= {p.pk for p in mine}
    assert all(i["reason"] == "exact" for i in items)


def test_preview_needs_a_party_or_a_segment(marketer: User, make_template: MakeTemplate) -> None:
    template = make_template()
    answer = api_client(marketer).get(f"/api/v1/templates/{template.pk}/preview")
    assert (answer.status_code, answer.json()["errors"][0]["code"]) == (
        422,
        "preview_target_missing",
    )


def test_the_list_takes_a_fixed_number_of_queries(
    marketer: User,
    make_template: MakeTemplate,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    for n in range(5):
        make_template(name=f"T{n}")
    client = api_client(marketer)
    with django_assert_max_num_queries(8):
        answer = client.get("/api/v1/templates")
    assert len(answer.json()["items"]) == 5


def test_the_variables_are_listed(marketer: User) -> None:
    paths = [v["path"] for v in api_client(marketer).get("/api/v1/templates/variables").json()]
    assert "party.first_name" in paths
    assert "links.unsubscribe" in paths


def test_a_sales_user_may_write_plain_templates_but_not_loops(db: None) -> None:
    sales = make_user(role=Role.SALES)
    body = "{% for l in last_order.lines %}{% endfor %}"
    loop = {**BODY, "variants": [{"language": "en", "subject": "x", "body": body}]}
    answer = _post(sales, loop)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["code"] == "template_tag_forbidden"
    assert _post(sales, BODY).status_code == 201


def test_a_body_past_the_servers_limit_is_a_413_problem(marketer: User) -> None:
    variant = {"language": "en", "subject": "x", "body": "é" * 90_000}
    body = {**BODY, "variants": [{**variant, "language": f"l{n:02d}"[:3]} for n in range(30)]}
    answer = _post(marketer, body)
    assert answer.status_code == 413
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == "body_too_large"


def test_an_sms_keeps_no_subject(marketer: User) -> None:
    variant = {"language": "en", "subject": "ignored", "body": "Hi", "text_body": "ignored"}
    body = {**BODY, "channel": "sms", "purpose": "greetings", "variants": [variant]}
    answer = _post(marketer, body)
    assert answer.status_code == 201, answer.json()
    (kept,) = answer.json()["variants"]
    assert (kept["subject"], kept["body"], kept["text_body"]) == ("", "Hi", "")
