"""Reminders: the header's counter and the notices page, the daily digest, the calendar feed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from clientela.accounts.models import Role, User
from clientela.activities.models import Assignment, CalendarFeed
from clientela.activities.queries import notification_count
from clientela.activities.services import (
    calendar_bytes,
    issue_feed,
    revoke_feed,
    send_digests,
    set_daily_digest,
)
from clientela.parties.models import Party
from tests.activities.conftest import plan
from tests.consent.conftest import Inbox
from tests.factories import make_user

WebClient = Callable[[User], Client]


def _today(days: int = 0) -> date:
    return (timezone.now() + timedelta(days=days)).date()


@pytest.mark.django_db
def test_the_counter_counts_due_and_overdue_activities_and_new_assignments(
    sales_a: User, party_a: Party, web_client: WebClient
) -> None:
    plan(party_a, sales_a, due_date=_today(-3))  # overdue
    plan(party_a, sales_a, due_date=_today())  # due today
    plan(party_a, sales_a, due_date=_today(5))  # not yet
    colleague = make_user(role=Role.SALES, team="Team A")
    plan(party_a, colleague, assignee_id=sales_a.pk, due_date=_today(9))  # given to sales_a
    assert notification_count(sales_a) == 3
    counter = web_client(sales_a).get("/activities/notifications/count/")
    assert counter.status_code == 200
    assert b">3<" in counter.content
    page = web_client(sales_a).get("/activities/notifications/")
    assert page.status_code == 200
    notice = Assignment.objects.get()
    web_client(sales_a).post("/activities/notifications/read/", {"notice": notice.pk})
    assert notification_count(sales_a) == 2


@pytest.mark.django_db
def test_the_header_loads_the_counter(sales_a: User, web_client: WebClient) -> None:
    page = web_client(sales_a).get("/activities/")
    assert b'hx-get="/activities/notifications/count/"' in page.content


@pytest.mark.django_db
def test_a_snoozed_activity_is_not_counted_until_it_wakes(sales_a: User, party_a: Party) -> None:
    activity = plan(party_a, sales_a, due_date=_today(-1))
    activity.status, activity.snoozed_until = "snoozed", timezone.now() + timedelta(hours=2)
    activity.save()
    assert notification_count(sales_a) == 0
    assert notification_count(sales_a, timezone.now() + timedelta(hours=3)) == 1


@pytest.mark.django_db
def test_the_daily_digest_mails_what_is_due_once_a_day(
    sales_a: User, party_a: Party, smtp_inbox: Inbox
) -> None:
    plan(party_a, sales_a, title="Call Ana back", due_date=_today(-1))
    plan(party_a, sales_a, title="Later", due_date=_today(10))
    set_daily_digest(sales_a, enabled=True)
    assert send_digests() == 1
    assert send_digests() == 0  # once a day
    (message,) = smtp_inbox.messages
    assert message["To"] == sales_a.email
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode()
    assert "Call Ana back" in body
    assert "Later" not in body


@pytest.mark.django_db
def test_no_digest_without_asking_or_with_nothing_due(
    sales_a: User, sales_b: User, party_a: Party, smtp_inbox: Inbox
) -> None:
    plan(party_a, sales_a, due_date=_today())
    set_daily_digest(sales_b, enabled=True)
    assert send_digests() == 0
    assert smtp_inbox.messages == []


@pytest.mark.django_db
def test_the_calendar_feed_parses_and_holds_only_the_users_activities(
    sales_a: User, sales_b: User, party_a: Party, party_b: Party
) -> None:
    plan(
        party_a,
        sales_a,
        title="Timed call",
        due_date="2030-05-06",
        due_time="09:30",
        time_zone="Europe/Lisbon",
        duration_minutes=20,
    )
    plan(party_a, sales_a, title="All-day visit", kind="visit", due_date="2030-05-07")
    plan(party_b, sales_b, title="Not mine")
    calendar = Calendar.from_ical(calendar_bytes(sales_a))
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Call: Timed call · Ana Silva", "Visit: All-day visit · Ana Silva"}
    timed = events["Call: Timed call · Ana Silva"]
    assert timed.decoded("dtstart") == datetime(2030, 5, 6, 8, 30, tzinfo=UTC)
    assert timed.decoded("dtend") - timed.decoded("dtstart") == timedelta(minutes=20)
    assert events["Visit: All-day visit · Ana Silva"].decoded("dtstart") == date(2030, 5, 7)


@pytest.mark.django_db
def test_the_feed_is_served_by_its_token_and_a_revoked_one_answers_404(
    sales_a: User, party_a: Party, client: Client
) -> None:
    plan(party_a, sales_a, title="Renewal call")
    _feed, raw = issue_feed(sales_a)
    response = client.get(f"/activities/calendar/{raw}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert [str(e["summary"]) for e in calendar.walk("VEVENT")] == [
        "Call: Renewal call · Ana Silva"
    ]
    revoke_feed(sales_a)
    assert client.get(f"/activities/calendar/{raw}.ics").status_code == 404
    assert client.get("/activities/calendar/cf_guessed.ics").status_code == 404


@pytest.mark.django_db
def test_a_new_feed_address_stops_the_old_one_and_a_disabled_user_has_none(
    sales_a: User, client: Client
) -> None:
    _first, old = issue_feed(sales_a)
    _second, new = issue_feed(sales_a)
    assert client.get(f"/activities/calendar/{old}.ics").status_code == 404
    assert client.get(f"/activities/calendar/{new}.ics").status_code == 200
    sales_a.is_active = False
    sales_a.save()
    assert client.get(f"/activities/calendar/{new}.ics").status_code == 404
    assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 1


@pytest.mark.django_db
def test_the_settings_page_makes_and_stops_a_feed_address(
    sales_a: User, web_client: WebClient, client: Client
) -> None:
    signed_in = web_client(sales_a)
    page = signed_in.post("/activities/reminders/", {"action": "issue_feed"})
    assert page.status_code == 200
    url = page.context["feed_url"]
    assert "/activities/calendar/cf_" in url
    path = url.split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    signed_in.post("/activities/reminders/", {"action": "revoke_feed"})
    assert client.get(path).status_code == 404
    signed_in.post("/activities/reminders/", {"action": "digest", "daily_digest": "on"})
    assert sales_a.activity_reminders.daily_digest is True
