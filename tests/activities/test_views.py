"""Activity pages: the list, the party page's panel and its htmx forms, and nothing of another
team."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.activities.models import Activity, ActivityStatus
from clientela.interactions.models import Interaction
from clientela.parties.models import Party
from tests.activities.conftest import plan

WebClient = Callable[[User], Client]
HTMX = {"HX-Request": "true"}


@pytest.mark.django_db
def test_the_list_shows_my_activities_and_not_another_teams(
    sales_a: User, sales_b: User, web_client: WebClient, party_a: Party, party_b: Party
) -> None:
    plan(party_a, sales_a, title="Call Ana about renewal")
    plan(party_b, sales_b, title="Visit Bruno")
    page = web_client(sales_a).get("/activities/")
    assert page.status_code == 200
    assert b"Call Ana about renewal" in page.content
    assert b"Visit Bruno" not in page.content
    everything = web_client(sales_a).get("/activities/", {"view": "all"})
    assert b"Visit Bruno" not in everything.content


@pytest.mark.django_db
def test_the_party_page_shows_next_activities_and_schedules_a_follow_up(
    sales_a: User, web_client: WebClient, party_a: Party
) -> None:
    plan(party_a, sales_a, title="Send the catalogue", kind="letter")
    client = web_client(sales_a)
    page = client.get(f"/parties/{party_a.pk}/?tab=activities")
    assert b"Send the catalogue" in page.content
    assert b"Schedule a follow-up" in page.content
    header = client.get(f"/parties/{party_a.pk}/").content.decode()
    assert "Send the catalogue" in header  # the next activity, in the header of every section
    response = client.post(
        "/activities/new/",
        {
            "party_id": party_a.pk,
            "kind": "follow_up",
            "title": "Ask how the delivery went",
            "due_date": "2030-05-07",
            "due_time": "10:00",
            "assignee": f"user:{sales_a.pk}",
            "priority": "normal",
        },
        headers=HTMX,
    )
    assert response.status_code == 201
    assert b"Ask how the delivery went" in response.content
    assert b'id="activities"' in response.content  # the panel, to swap in place
    assert Activity.objects.filter(title="Ask how the delivery went").exists()


@pytest.mark.django_db
def test_a_follow_up_with_errors_says_which_field_and_saves_nothing(
    sales_a: User, web_client: WebClient, party_a: Party
) -> None:
    response = web_client(sales_a).post(
        "/activities/new/",
        {"party_id": party_a.pk, "kind": "call", "title": "", "due_date": "tomorrow"},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert b"must be a date as YYYY-MM-DD" in response.content
    assert Activity.objects.count() == 0


@pytest.mark.django_db
def test_completing_from_the_panel_logs_the_contact(
    sales_a: User, web_client: WebClient, party_a: Party
) -> None:
    activity = plan(party_a, sales_a)
    client = web_client(sales_a)
    form = client.get(f"/activities/{activity.pk}/complete/", headers=HTMX)
    assert form.status_code == 200
    assert b'name="outcome"' in form.content
    assert b"<html" not in form.content  # only the fragment
    done = client.post(
        f"/activities/{activity.pk}/complete/",
        {"outcome": "Reached, renewing", "channel": "phone", "direction": "outbound"},
        headers=HTMX,
    )
    assert done.status_code == 200
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.DONE
    assert Interaction.objects.get().outcome == "Reached, renewing"


@pytest.mark.django_db
def test_completing_without_an_outcome_shows_the_error(
    sales_a: User, web_client: WebClient, party_a: Party
) -> None:
    activity = plan(party_a, sales_a)
    response = web_client(sales_a).post(f"/activities/{activity.pk}/complete/", {"outcome": ""})
    assert response.status_code == 422
    assert b"is required" in response.content or b"must not be empty" in response.content
    assert Interaction.objects.count() == 0


@pytest.mark.django_db
def test_a_team_b_user_gets_404_for_team_a_activity_pages(
    sales_a: User, sales_b: User, web_client: WebClient, party_a: Party
) -> None:
    activity = plan(party_a, sales_a)
    client = web_client(sales_b)
    assert client.get(f"/activities/{activity.pk}/complete/").status_code == 404
    assert client.post(f"/activities/{activity.pk}/complete/", {"outcome": "x"}).status_code == 404
    assert client.get(f"/activities/{activity.pk}/edit/").status_code == 404
    assert client.post(f"/activities/{activity.pk}/cancel/").status_code == 404
    assert (
        client.post("/activities/new/", {"party_id": party_a.pk, "title": "x"}).status_code == 404
    )
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.OPEN
    assert Interaction.objects.count() == 0


@pytest.mark.django_db
def test_an_activity_is_changed_and_cancelled_through_its_form(
    sales_a: User, web_client: WebClient, party_a: Party
) -> None:
    activity = plan(party_a, sales_a)
    client = web_client(sales_a)
    page = client.get(f"/activities/{activity.pk}/edit/")
    assert b"Call about the renewal" in page.content
    changed = client.post(
        f"/activities/{activity.pk}/edit/",
        {
            "kind": "visit",
            "title": "Visit instead",
            "due_date": "2030-05-09",
            "assignee": f"user:{sales_a.pk}",
            "priority": "high",
            "repeat_every": "1",
        },
    )
    assert changed.status_code == 302
    activity.refresh_from_db()
    assert (activity.kind, activity.title, str(activity.due_date)) == (
        "visit",
        "Visit instead",
        "2030-05-09",
    )
    assert client.post(f"/activities/{activity.pk}/cancel/").status_code == 302
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.CANCELLED


@pytest.mark.django_db
def test_a_viewer_sees_the_panel_without_its_forms(
    viewer: User, sales_a: User, web_client: WebClient, party_a: Party
) -> None:
    plan(party_a, sales_a, title="Quarterly review")
    page = web_client(viewer).get(f"/parties/{party_a.pk}/")
    assert b"Quarterly review" in page.content
    assert b"Schedule a follow-up" not in page.content
