"""Activities through /api/v1/activities: plan, filter, complete, and nothing of another team."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from clientela.accounts.models import User
from clientela.activities.models import Activity, ActivityEvent, ActivityStatus
from clientela.interactions.models import Interaction
from clientela.parties.models import Party
from tests.activities.conftest import plan
from tests.api.problems import assert_invalid, assert_problem, counts, send, walk_pages

ApiClient = Callable[[User], Client]
URL = "/api/v1/activities"


@pytest.mark.django_db
def test_an_activity_is_planned_for_the_caller_by_default(
    sales_a: User, api_client: ApiClient, party_a: Party
) -> None:
    body = {
        "party_id": party_a.pk,
        "kind": "meeting",
        "title": "Present the new range",
        "due_date": "2030-03-04",
        "due_time": "15:00",
        "time_zone": "Asia/Kathmandu",
        "duration_minutes": 45,
        "priority": "high",
    }
    response = send(api_client(sales_a), "POST", URL, body)
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["assignee"] == {"id": sales_a.pk, "name": str(sales_a)}
    assert out["party"] == {"id": party_a.pk, "name": party_a.display_name}
    assert out["due_at"] == "2030-03-04T09:15:00Z"  # 15:00 at UTC+5:45
    assert (out["status"], out["priority"], out["queue"]) == ("open", "high", None)
    assert ActivityEvent.objects.get().action == "scheduled"


@pytest.mark.django_db
def test_an_activity_sent_again_with_its_external_id_is_not_planned_twice(
    sales_a: User, api_client: ApiClient, party_a: Party
) -> None:
    client = api_client(sales_a)
    body = {
        "party_id": party_a.pk,
        "kind": "call",
        "title": "Call",
        "due_date": "2030-03-04",
        "external_id": "CRM-1",
    }
    assert send(client, "POST", URL, body).status_code == 201
    again = send(client, "POST", URL, body)
    assert again.status_code == 200
    assert Activity.objects.count() == 1
    changed = send(client, "POST", URL, {**body, "title": "Another"})
    assert assert_problem(changed, 409)["code"] == "activity_external_id_taken"


@pytest.mark.django_db
def test_bad_input_names_the_field_and_the_value(
    sales_a: User, api_client: ApiClient, party_a: Party
) -> None:
    client = api_client(sales_a)
    base = {"party_id": party_a.pk, "kind": "call", "title": "Call", "due_date": "2030-03-04"}
    assert_invalid(send(client, "POST", URL, {**base, "time_zone": "Mars/Base"}), "time_zone")
    error = assert_invalid(
        send(client, "POST", URL, {**base, "due_date": "3030-01-01"}), "due_date"
    )
    assert error["code"] == "activity_due_out_of_range"
    assert_invalid(send(client, "POST", URL, {**base, "kind": "party"}), "kind", "party")
    assert_invalid(send(client, "POST", URL, {**base, "status": "done"}), "status")
    assert Activity.objects.count() == 0


@pytest.mark.django_db
def test_completing_logs_one_interaction_and_both_are_on_the_timeline(
    sales_a: User, api_client: ApiClient, party_a: Party
) -> None:
    activity = plan(party_a, sales_a)
    client = api_client(sales_a)
    response = send(
        client, "POST", f"{URL}/{activity.pk}/complete", {"outcome": "Renewed", "notes": "Happy"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["activity"]["status"] == "done"
    assert body["next"] is None
    interaction = Interaction.objects.get()
    assert body["activity"]["interaction_id"] == interaction.pk
    timeline = client.get(f"/api/v1/parties/{party_a.pk}/timeline").json()["items"]
    assert [(e["kind"], e["data"].get("status")) for e in timeline] == [
        ("interaction", None),  # logged at the moment it was done
        ("activity", "done"),
        ("activity", "scheduled"),
    ]
    again = send(client, "POST", f"{URL}/{activity.pk}/complete", {"outcome": "Again"})
    assert assert_problem(again, 409)["code"] == "activity_not_pending"
    assert Interaction.objects.count() == 1


@pytest.mark.django_db
def test_completing_without_an_outcome_is_refused_and_writes_nothing(
    sales_a: User, api_client: ApiClient, party_a: Party
) -> None:
    activity = plan(party_a, sales_a)
    response = send(api_client(sales_a), "POST", f"{URL}/{activity.pk}/complete", {"outcome": ""})
    assert_invalid(response, "outcome")
    assert counts(Interaction) == {"Interaction": 0}
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.OPEN


@pytest.mark.django_db
def test_a_recurring_activity_answers_its_next_occurrence(
    sales_a: User, api_client: ApiClient, party_a: Party
) -> None:
    activity = plan(party_a, sales_a, repeat_unit="months", repeat_every=1)
    response = send(api_client(sales_a), "POST", f"{URL}/{activity.pk}/complete", {"outcome": "Ok"})
    following = response.json()["next"]
    assert (following["due_date"], following["status"], following["previous_id"]) == (
        "2030-06-06",
        "open",
        activity.pk,
    )


@pytest.mark.django_db
def test_a_team_b_user_cannot_see_or_complete_team_a_activities(
    sales_a: User, sales_b: User, api_client: ApiClient, party_a: Party
) -> None:
    activity = plan(party_a, sales_a)
    client = api_client(sales_b)
    assert assert_problem(client.get(f"{URL}/{activity.pk}"), 404)["code"] == "activity_not_found"
    complete = send(client, "POST", f"{URL}/{activity.pk}/complete", {"outcome": "Stolen"})
    assert_problem(complete, 404)
    assert_problem(send(client, "PATCH", f"{URL}/{activity.pk}", {"title": "Mine"}), 404)
    assert_problem(client.delete(f"{URL}/{activity.pk}"), 404)
    later = (timezone.now() + timedelta(days=1)).isoformat()
    assert_problem(send(client, "POST", f"{URL}/{activity.pk}/snooze", {"until": later}), 404)
    assert client.get(URL).json()["items"] == []
    assert_problem(client.get(URL, {"party_id": party_a.pk}), 404)
    activity.refresh_from_db()
    assert (activity.status, activity.title) == ("open", "Call about the renewal")
    assert Interaction.objects.count() == 0


@pytest.mark.django_db
def test_the_list_filters_by_status_kind_party_and_due_range(
    sales_a: User, api_client: ApiClient, party_a: Party, manager: User
) -> None:
    from tests.factories import make_party

    other = make_party(owner=sales_a, team=sales_a.team)
    call = plan(party_a, sales_a, due_date="2030-01-10")
    visit = plan(other, sales_a, kind="visit", due_date="2030-02-10")
    done = plan(party_a, sales_a, due_date="2030-03-10")
    send(api_client(sales_a), "POST", f"{URL}/{done.pk}/complete", {"outcome": "Ok"})
    client = api_client(sales_a)

    def ids(**query: str | int | list[str]) -> list[int]:
        response = client.get(URL, query)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [call.pk, visit.pk, done.pk]
    assert ids(status="open") == [call.pk, visit.pk]
    assert ids(kind="visit") == [visit.pk]
    assert ids(party_id=party_a.pk) == [call.pk, done.pk]
    assert ids(due_from="2030-02-01", due_to="2030-02-10") == [visit.pk]
    assert ids(assignee_id=sales_a.pk, status=["open", "done"]) == [call.pk, visit.pk, done.pk]
    assert ids(assignee_id=manager.pk) == []
    pages = walk_pages(client, URL, 2)
    assert [item["id"] for page in pages for item in page] == [call.pk, visit.pk, done.pk]
    assert_invalid(client.get(URL, {"cursor": "nonsense"}), "cursor")


@pytest.mark.django_db
def test_the_list_takes_a_fixed_number_of_queries(
    sales_a: User, api_client: ApiClient, party_a: Party, django_assert_max_num_queries: object
) -> None:
    for n in range(8):
        plan(party_a, sales_a, title=f"Call {n}")
    client = api_client(sales_a)
    client.get(URL)  # the token's first use is recorded once
    with django_assert_max_num_queries(6):  # type: ignore[operator]  # pytest-django's fixture is untyped here
        assert len(client.get(URL).json()["items"]) == 8


@pytest.mark.django_db
def test_a_viewer_may_read_but_not_plan(
    viewer: User, sales_a: User, api_client: ApiClient, party_a: Party
) -> None:
    activity = plan(party_a, sales_a)
    client = api_client(viewer)
    assert client.get(f"{URL}/{activity.pk}").status_code == 200
    body = {"party_id": party_a.pk, "kind": "call", "title": "Call", "due_date": "2030-03-04"}
    assert_problem(send(client, "POST", URL, body), 403)
    assert_problem(send(client, "POST", f"{URL}/{activity.pk}/complete", {"outcome": "x"}), 403)


@pytest.mark.django_db
def test_cancelling_keeps_the_activity_and_says_so_on_the_timeline(
    sales_a: User, api_client: ApiClient, party_a: Party
) -> None:
    activity = plan(party_a, sales_a)
    response = api_client(sales_a).delete(f"{URL}/{activity.pk}")
    assert response.status_code == 204
    activity.refresh_from_db()
    assert activity.status == "cancelled"
    assert sorted(activity.events.values_list("action", flat=True)) == ["cancelled", "scheduled"]
