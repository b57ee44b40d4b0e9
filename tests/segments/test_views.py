"""The segment pages: list, rule builder with live count, members, CSV export, static lists."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.http import StreamingHttpResponse
from django.test import Client

from clientela.accounts.models import User
from clientela.segments.models import Segment, StaticMember
from tests.factories import make_party
from tests.segments.helpers import cond, metrics

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]
AT_RISK = cond("lifecycle_state", "eq", "at_risk")


def _segment(owner: User, **fields: object) -> Segment:
    fields.setdefault("rules", AT_RISK)
    return Segment.objects.create(name="At risk", owner=owner, **fields)


def test_the_nav_links_to_segments(web_client: WebClient, manager: User) -> None:
    page = web_client(manager).get("/").content.decode()
    assert 'href="/segments/"' in page


def test_the_list_shows_each_segment_with_the_users_count(
    web_client: WebClient, manager: User, sales_a: User
) -> None:
    metrics(make_party(owner=sales_a), lifecycle_state="at_risk")
    metrics(make_party(), lifecycle_state="at_risk")
    _segment(manager)
    page = web_client(sales_a).get("/segments/").content.decode()
    assert "At risk" in page
    assert '<td data-label="Members" class="num">1</td>' in page


def test_the_rule_builder_renders_without_inline_script(
    web_client: WebClient, manager: User
) -> None:
    response = web_client(manager).get("/segments/new/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/segments/builder.js" in page
    assert 'id="segment-fields" type="application/json"' in page
    assert 'hx-post="/segments/preview/"' in page
    assert "script-src 'self'" in response["Content-Security-Policy"]
    scripts = page.count("<script")
    assert scripts == page.count("<script src=") + page.count('<script id="segment-')
    fields = json.loads(page.split('id="segment-fields" type="application/json">')[1]
                        .split("</script>")[0])  # fmt: skip
    assert {"key_date.birthday", "clv", "lifecycle_state"} <= {f["name"] for f in fields}


def test_the_preview_answers_with_the_live_count(web_client: WebClient, sales_a: User) -> None:
    metrics(make_party(owner=sales_a), lifecycle_state="at_risk")
    metrics(make_party(), lifecycle_state="at_risk")
    client = web_client(sales_a)
    response = client.post(
        "/segments/preview/", {"rules": json.dumps(AT_RISK)}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'data-count="1"' in response.content.decode()
    bad = client.post("/segments/preview/", {"rules": '{"all": [{"field": "x", "op": "eq"}]}'})
    assert bad.status_code == 422
    assert "rules.all.0.field: is not a field segments can use" in bad.content.decode()
    broken = client.post("/segments/preview/", {"rules": "{not json"})
    assert broken.status_code == 422


def test_a_segment_is_saved_from_the_builder_form(web_client: WebClient, manager: User) -> None:
    response = web_client(manager).post(
        "/segments/new/",
        {"name": "Birthdays", "description": "", "kind": "rules",
         "rules": json.dumps(cond("key_date.birthday", "within_days", 14))},
    )  # fmt: skip
    segment = Segment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/segments/{segment.pk}/"
    assert segment.rules == cond("key_date.birthday", "within_days", 14)


def test_bad_rules_in_the_form_are_shown_and_nothing_is_saved(
    web_client: WebClient, manager: User
) -> None:
    response = web_client(manager).post(
        "/segments/new/",
        {"name": "", "kind": "rules", "rules": json.dumps(cond("clv", "gte", "lots"))},
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert "rules.all.0.value" in page
    assert not Segment.objects.exists()


def test_the_segment_page_lists_members_and_links_the_export(
    web_client: WebClient, manager: User
) -> None:
    metrics(make_party(given_name="Zoe", email="zoe@example.com"), lifecycle_state="at_risk")
    segment = _segment(manager)
    page = web_client(manager).get(f"/segments/{segment.pk}/").content.decode()
    assert "Zoe" in page
    assert "Lifecycle state is At risk" in page
    assert f'href="/segments/{segment.pk}/members.csv"' in page
    export = web_client(manager).get(f"/segments/{segment.pk}/members.csv")
    assert isinstance(export, StreamingHttpResponse)
    assert "zoe@example.com" in export.getvalue().decode()


def test_a_party_is_added_to_a_static_list_from_the_page(
    web_client: WebClient, manager: User
) -> None:
    segment = _segment(manager, kind="static", rules={"all": []})
    party = make_party(given_name="Lia")
    client = web_client(manager)
    found = client.get(f"/segments/{segment.pk}/candidates/?q=Lia").content.decode()
    assert f'name="party_id" value="{party.pk}"' in found
    response = client.post(f"/segments/{segment.pk}/members/add/", {"party_id": party.pk})
    assert response.status_code == 302
    assert StaticMember.objects.get().party == party
    client.post(f"/segments/{segment.pk}/members/{party.pk}/remove/")
    assert not StaticMember.objects.exists()


def test_a_viewer_gets_no_builder(web_client: WebClient, viewer: User) -> None:
    assert web_client(viewer).get("/segments/new/").status_code == 403


def test_pages_need_a_sign_in(client: Client) -> None:
    assert client.get("/segments/").status_code == 302
