"""Saved views: who sees them (private, team, everyone), who changes them, and what they keep."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from clientela.accounts.models import Role, User
from clientela.core.errors import Forbidden, Invalid, NotFound
from clientela.segments.models import SavedView, Sharing
from clientela.segments.schemas import SavedViewCreate, SavedViewUpdate
from clientela.segments.services.saved_views import (
    create_saved_view,
    delete_saved_view,
    get_saved_view,
    update_saved_view,
    visible_saved_views,
)
from tests import factories

pytestmark = pytest.mark.django_db
WebClient = Callable[[User], Client]


def _save(user: User, name: str = "Best customers", **fields: object) -> SavedView:
    data = {"name": name, "filters": {"lifecycle": "active"}, "sort": "-clv", **fields}
    return create_saved_view(SavedViewCreate.model_validate(data), by=user)


def test_a_private_view_is_seen_by_its_owner_only(sales_a: User, manager: User) -> None:
    view = _save(sales_a)
    teammate = factories.make_user(role=Role.SALES, team="Team A")

    assert list(visible_saved_views(sales_a)) == [view]
    assert list(visible_saved_views(teammate)) == []
    with pytest.raises(NotFound) as caught:
        get_saved_view(manager, view.pk)
    assert caught.value.code == "saved_view_not_found"


def test_a_team_view_is_seen_by_the_team_and_nobody_else(sales_a: User, sales_b: User) -> None:
    view = _save(sales_a, sharing=Sharing.TEAM)
    teammate = factories.make_user(role=Role.SUPPORT, team="Team A")

    assert list(visible_saved_views(teammate)) == [view]
    assert list(visible_saved_views(sales_b)) == []
    assert view.team_id == sales_a.team_id


def test_only_managers_and_admins_share_with_everyone(
    sales_a: User, manager: User, viewer: User
) -> None:
    with pytest.raises(Forbidden) as caught:
        _save(sales_a, sharing=Sharing.EVERYONE)
    assert caught.value.code == "saved_view_share_forbidden"

    view = _save(manager, sharing=Sharing.EVERYONE)
    assert list(visible_saved_views(viewer)) == [view]
    assert list(visible_saved_views(sales_a)) == [view]


def test_a_view_without_a_team_cannot_be_shared_with_one(manager: User) -> None:
    with pytest.raises(Invalid) as caught:
        _save(manager, sharing=Sharing.TEAM)
    assert caught.value.errors[0].code == "saved_view_no_team"


def test_the_owner_renames_updates_and_deletes_a_view(sales_a: User) -> None:
    view = _save(sales_a)

    update_saved_view(
        view,
        SavedViewUpdate(name="At risk", filters={"lifecycle": "at_risk"}, columns=["clv"]),
        by=sales_a,
    )
    view.refresh_from_db()
    assert (view.name, view.filters, view.columns, view.sort) == (
        "At risk",
        {"lifecycle": "at_risk"},
        ["name", "clv"],
        "-clv",
    )
    delete_saved_view(view, by=sales_a)
    assert not SavedView.objects.exists()


def test_a_teammate_may_open_but_not_change_a_team_view(sales_a: User) -> None:
    view = _save(sales_a, sharing=Sharing.TEAM)
    teammate = factories.make_user(role=Role.SALES, team="Team A")

    with pytest.raises(Forbidden) as caught:
        update_saved_view(view, SavedViewUpdate(name="Mine now"), by=teammate)
    assert caught.value.code == "saved_view_change_forbidden"
    with pytest.raises(Forbidden):
        delete_saved_view(view, by=teammate)
    view.refresh_from_db()
    assert view.name == "Best customers"


def test_a_manager_changes_shared_views_but_not_private_ones(sales_a: User, manager: User) -> None:
    shared = _save(sales_a, "Shared", sharing=Sharing.TEAM)
    private = _save(sales_a, "Private")

    update_saved_view(shared, SavedViewUpdate(name="Tidied"), by=manager)
    assert SavedView.objects.get(pk=shared.pk).name == "Tidied"
    with pytest.raises(Forbidden):
        delete_saved_view(private, by=manager)


def test_a_view_keeps_only_known_filters_columns_and_sorts(sales_a: User) -> None:
    with pytest.raises(Invalid) as caught:
        _save(sales_a, filters={"search_text__regex": "x"})
    assert caught.value.errors[0].code == "saved_view_filter_unknown"
    with pytest.raises(Invalid) as caught:
        _save(sales_a, columns=["password"], sort="hash")
    assert {e.code for e in caught.value.errors} == {"column_unknown", "sort_unknown"}


def test_a_view_shows_its_opener_only_the_parties_they_may_see(
    manager: User, sales_a: User, sales_b: User, web_client: WebClient
) -> None:
    view = _save(manager, sharing=Sharing.EVERYONE, filters={})
    factories.make_party(given_name="Alice", family_name="Ours", owner=sales_a)
    factories.make_party(given_name="Bob", family_name="Theirs", owner=sales_b)

    html = web_client(sales_a).get(f"/parties/?view={view.pk}&sort=-clv").content.decode()

    assert "Alice Ours" in html
    assert "Bob Theirs" not in html
    assert "Best customers" in html


def test_the_page_saves_the_list_as_it_is_shown(manager: User, web_client: WebClient) -> None:
    response = web_client(manager).post(
        "/parties/views/",
        {
            "name": "Gold by CLV",
            "sharing": "everyone",
            "list_query": "tier=gold&sort=-clv&cols=clv",
        },
    )

    view = SavedView.objects.get()
    assert response.status_code == 302
    assert f"view={view.pk}" in response["Location"]
    assert (view.filters, view.columns, view.sort, view.sharing) == (
        {"tier": "gold"},
        ["name", "clv"],
        "-clv",
        "everyone",
    )


def test_the_api_lists_creates_changes_and_deletes_views(
    sales_a: User, api_client: Callable[[User], Client]
) -> None:
    client = api_client(sales_a)
    made = client.post(
        "/api/v1/saved-views",
        {"name": "Mine", "filters": {"kind": "person"}, "columns": ["email"], "sort": "-created"},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["url"].startswith("/parties/?")
    assert "kind=person" in body["url"]

    changed = client.patch(
        f"/api/v1/saved-views/{body['id']}",
        {"sharing": "team"},
        content_type="application/json",
    )
    assert changed.json()["sharing"] == "team"
    assert [v["name"] for v in client.get("/api/v1/saved-views").json()] == ["Mine"]
    refused = client.post(
        "/api/v1/saved-views",
        {"name": "All", "sharing": "everyone"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "saved_view_share_forbidden"
    assert client.delete(f"/api/v1/saved-views/{body['id']}").status_code == 204


def test_the_api_list_of_views_runs_a_bounded_number_of_queries(
    manager: User,
    api_client: Callable[[User], Client],
    django_assert_max_num_queries: Any,
) -> None:
    for n in range(12):
        _save(manager, f"View {n}", sharing=Sharing.EVERYONE)
    client = api_client(manager)
    client.get("/api/v1/saved-views")  # the token's first use is recorded once

    with django_assert_max_num_queries(4):
        answer = client.get("/api/v1/saved-views")

    assert len(answer.json()) == 12
