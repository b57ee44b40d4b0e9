"""Call lists: who is called, when (the customer's calling window, past their holidays), by
whom, and what the consent gate says — when the list is built and again at the call."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.activities.models import (
    Activity,
    ActivityStatus,
    CallList,
    CallListItem,
    CallOutcome,
    ItemStatus,
)
from clientela.activities.schemas import CallListCreate, CallOutcomeIn
from clientela.activities.services import build_call_list, next_call, record_call
from clientela.consent.models import ConsentChannel, ConsentRecord, ConsentStatus, Purpose
from clientela.consent.services import (
    current_consents,
    erase_party,
    record_consent,
    store_wording,
)
from clientela.consent.services.preferences import get_preferences
from clientela.interactions.models import Interaction
from clientela.parties.models import ContactKind, ContactPoint, Party
from tests.factories import make_party, make_user

pytestmark = pytest.mark.django_db

# A week a year ahead: Monday 2027-12-06 to Friday 2027-12-10; Wednesday the 8th is a public
# holiday in Portugal (Immaculate Conception), not in Nepal.
MONDAY = date(2027, 12, 6)
FRIDAY = date(2027, 12, 10)


def agree(party: Party, status: str = ConsentStatus.GRANTED) -> None:
    wording = store_wording("You may call me about offers.", version="call-1")
    record_consent(
        party, purpose=Purpose.MARKETING, channel=ConsentChannel.PHONE, status=status,
        source="staff", wording=wording,
    )  # fmt: skip


def customer(owner: User, phone: str = "+351912345678", **fields: Any) -> Party:
    party = make_party(owner=owner, team=owner.team, phone=phone, **fields)
    agree(party)
    return party


def build(by: User, parties: list[Party], **fields: Any) -> CallList:
    values: dict[str, Any] = {
        "name": "At-risk customers",
        "starts_on": MONDAY,
        "ends_on": FRIDAY,
        "party_ids": [p.pk for p in parties],
        "script": "Ask how the last order went.",
    }
    values.update(fields)
    return build_call_list(CallListCreate.model_validate(values), by=by)


def item_of(call_list: CallList, party: Party) -> CallListItem:
    return CallListItem.objects.select_related("activity", "call_list", "party").get(
        call_list=call_list, party=party
    )


def test_a_customer_at_utc_plus_5_45_is_called_within_their_own_calling_hours(
    sales_a: User,
) -> None:
    kathmandu = customer(sales_a, phone="+9779841234567", timezone="Asia/Kathmandu")
    call_list = build(sales_a, [kathmandu], starts_on=date(2027, 12, 7), ends_on=date(2027, 12, 7))
    item = item_of(call_list, kathmandu)
    assert item.status == ItemStatus.PENDING
    # 09:00-18:00 in Kathmandu (UTC+5:45) is 03:15-12:15 UTC.
    assert item.window_start == datetime(2027, 12, 7, 3, 15, tzinfo=UTC)
    assert item.window_end == datetime(2027, 12, 7, 12, 15, tzinfo=UTC)
    assert item.activity is not None
    assert (item.activity.due_date, item.activity.due_time) == (date(2027, 12, 7), time(9, 0))
    assert item.activity.time_zone == "Asia/Kathmandu"


def test_quiet_hours_narrow_the_calling_window(sales_a: User) -> None:
    kathmandu = customer(sales_a, phone="+9779841234567", timezone="Asia/Kathmandu")
    prefs = get_preferences(kathmandu)
    prefs.quiet_start, prefs.quiet_end = time(8, 0), time(10, 30)
    prefs.save()
    call_list = build(sales_a, [kathmandu], starts_on=date(2027, 12, 7), ends_on=date(2027, 12, 7))
    item = item_of(call_list, kathmandu)
    assert item.window_start == datetime(2027, 12, 7, 4, 45, tzinfo=UTC)  # 10:30 there


def test_a_public_holiday_of_the_customers_country_is_skipped(sales_a: User) -> None:
    lisbon = customer(sales_a, timezone="Europe/Lisbon")
    call_list = build(sales_a, [lisbon], starts_on=date(2027, 12, 8), ends_on=date(2027, 12, 9))
    assert item_of(call_list, lisbon).window_start == datetime(2027, 12, 9, 9, 0, tzinfo=UTC)
    only_the_holiday = build(
        sales_a, [lisbon], starts_on=date(2027, 12, 8), ends_on=date(2027, 12, 8), name="Wed"
    )
    item = item_of(only_the_holiday, lisbon)
    assert (item.status, item.reason, item.activity) == (
        ItemStatus.EXCLUDED, "no_calling_day", None,
    )  # fmt: skip


def test_the_country_comes_from_the_postal_address_before_the_phone(sales_a: User) -> None:
    party = customer(sales_a, phone="+14155550123", timezone="Europe/Lisbon")
    ContactPoint.objects.create(
        party=party, kind=ContactKind.ADDRESS, value="Rua A 1", normalized="rua a 1",
        country="PT", is_primary=True,
    )  # fmt: skip
    call_list = build(sales_a, [party], starts_on=date(2027, 12, 8), ends_on=date(2027, 12, 8))
    assert item_of(call_list, party).reason == "no_calling_day"


def test_a_party_whose_phone_consent_was_withdrawn_is_left_out_with_the_reason(
    sales_a: User,
) -> None:
    keen, withdrawn = customer(sales_a), customer(sales_a)
    agree(withdrawn, ConsentStatus.WITHDRAWN)
    never = make_party(owner=sales_a, team=sales_a.team, phone="+351912000000")
    call_list = build(sales_a, [keen, withdrawn, never])
    assert item_of(call_list, keen).status == ItemStatus.PENDING
    left_out = item_of(call_list, withdrawn)
    assert (left_out.status, left_out.reason, left_out.activity) == (
        ItemStatus.EXCLUDED, "withdrawn", None,
    )  # fmt: skip
    assert item_of(call_list, never).reason == "never_given"
    assert not Activity.objects.filter(party__in=[withdrawn, never]).exists()


def test_consent_withdrawn_after_building_skips_the_party_at_call_time(sales_a: User) -> None:
    first, second = customer(sales_a), customer(sales_a)
    call_list = build(sales_a, [first, second], starts_on=MONDAY, ends_on=MONDAY)
    agree(first, ConsentStatus.WITHDRAWN)
    found = next_call(call_list, sales_a)
    assert found.item is not None
    assert found.item.party_id == second.pk
    assert [i.party_id for i in found.skipped] == [first.pk]
    skipped = item_of(call_list, first)
    assert (skipped.status, skipped.reason) == (ItemStatus.SKIPPED, "withdrawn")
    assert skipped.activity is not None
    assert skipped.activity.status == ActivityStatus.CANCELLED


def test_recording_a_call_to_a_party_who_withdrew_logs_nothing_and_skips_it(
    sales_a: User,
) -> None:
    party = customer(sales_a)
    call_list = build(sales_a, [party])
    agree(party, ConsentStatus.WITHDRAWN)
    item = item_of(call_list, party)
    result = record_call(party, CallOutcomeIn(outcome=CallOutcome.REACHED), by=sales_a, item=item)
    assert result.skipped == "withdrawn"
    assert result.interaction is None
    assert not Interaction.objects.filter(party=party).exists()
    assert item_of(call_list, party).status == ItemStatus.SKIPPED


def test_calls_are_spread_across_the_team_by_workload(sales_a: User) -> None:
    colleague = make_user(email="colleague.a@example.com", team="Team A")
    parties = [customer(sales_a) for _ in range(6)]
    busy = customer(sales_a)
    for _ in range(4):  # sales_a already has four calls that week
        Activity.objects.create(
            party=busy, kind="call", title="Busy", due_date=MONDAY, time_zone="UTC",
            due_at=datetime(2027, 12, 6, 10, tzinfo=UTC),
            overdue_at=datetime(2027, 12, 6, 10, tzinfo=UTC), assignee=sales_a,
        )  # fmt: skip
    call_list = build(sales_a, parties)
    given = list(
        CallListItem.objects.filter(call_list=call_list).values_list("assignee_id", flat=True)
    )
    assert given.count(colleague.pk) == 5
    assert given.count(sales_a.pk) == 1


def test_no_answer_tries_again_until_the_attempt_limit(sales_a: User) -> None:
    party = customer(sales_a)
    call_list = build(sales_a, [party], max_attempts=2)
    item = item_of(call_list, party)
    first = item.activity
    record_call(party, CallOutcomeIn(outcome=CallOutcome.NO_ANSWER), by=sales_a, item=item)
    item = item_of(call_list, party)
    assert item.status == ItemStatus.PENDING
    assert item.attempts == 1
    assert item.activity is not None
    assert item.activity != first
    assert item.activity.status == ActivityStatus.OPEN
    record_call(party, CallOutcomeIn(outcome=CallOutcome.NO_ANSWER), by=sales_a, item=item)
    item = item_of(call_list, party)
    assert (item.status, item.attempts) == (ItemStatus.UNREACHABLE, 2)
    assert Interaction.objects.filter(party=party, channel="phone").count() == 2


def test_a_refusal_records_an_objection_to_phone_contact(sales_a: User) -> None:
    party = customer(sales_a)
    call_list = build(sales_a, [party])
    record_call(
        party,
        CallOutcomeIn(outcome=CallOutcome.REFUSED),
        by=sales_a,
        item=item_of(call_list, party),
    )
    assert item_of(call_list, party).status == ItemStatus.REFUSED
    state = current_consents(party)
    assert all(
        state[(p, ConsentChannel.PHONE)].status == ConsentStatus.WITHDRAWN
        for p in ("marketing", "newsletter", "greetings", "surveys")
    )
    assert ConsentRecord.objects.filter(party=party, actor=sales_a).count() == 4


def test_call_back_plans_a_call_at_that_moment(sales_a: User) -> None:
    party = customer(sales_a)
    call_list = build(sales_a, [party])
    data = CallOutcomeIn(
        outcome=CallOutcome.CALL_BACK, call_back_at=datetime(2027, 12, 10, 10, 0, tzinfo=UTC)
    )
    result = record_call(party, data, by=sales_a, item=item_of(call_list, party))
    assert result.follow_up is not None
    assert result.follow_up.due_at == datetime(2027, 12, 10, 10, 0, tzinfo=UTC)
    assert item_of(call_list, party).status == ItemStatus.CALL_BACK
    assert result.interaction is not None
    assert "2027-12-10 10:00" in result.interaction.outcome


def test_the_api_builds_a_list_and_team_b_cannot_see_it(
    sales_a: User, sales_b: User, api_client: Callable[[User], Client]
) -> None:
    party = customer(sales_a)
    answer = api_client(sales_a).post(
        "/api/v1/call-lists",
        {"name": "Week 49", "starts_on": "2027-12-06", "ends_on": "2027-12-10",
         "party_ids": [party.pk]},
        content_type="application/json",
    )  # fmt: skip
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["counts"] == {"pending": 1}
    list_id = body["id"]
    item_id = CallListItem.objects.get(call_list_id=list_id).pk
    other = api_client(sales_b)
    assert other.get(f"/api/v1/call-lists/{list_id}").status_code == 404
    assert other.get(f"/api/v1/call-lists/{list_id}/items").status_code == 404
    assert other.post(f"/api/v1/call-lists/{list_id}/next").status_code == 404
    outcome = other.post(
        f"/api/v1/call-lists/{list_id}/items/{item_id}/outcome",
        {"outcome": "reached"},
        content_type="application/json",
    )
    assert outcome.status_code == 404
    assert other.get("/api/v1/call-lists").json() == {"items": []}
    mine = api_client(sales_a)
    nxt = mine.post(f"/api/v1/call-lists/{list_id}/next").json()
    assert nxt["item"]["party"]["id"] == party.pk
    done = mine.post(
        f"/api/v1/call-lists/{list_id}/items/{item_id}/outcome",
        {"outcome": "reached", "notes": "Happy with the order."},
        content_type="application/json",
    )
    assert done.status_code == 200, done.content
    assert done.json()["item"]["status"] == "reached"


def test_a_selection_with_a_party_the_builder_may_not_see_is_404(
    sales_a: User, sales_b: User, api_client: Callable[[User], Client]
) -> None:
    theirs = customer(sales_b)
    answer = api_client(sales_a).post(
        "/api/v1/call-lists",
        {"name": "X", "starts_on": "2027-12-06", "ends_on": "2027-12-10",
         "party_ids": [theirs.pk]},
        content_type="application/json",
    )  # fmt: skip
    assert answer.status_code == 404
    assert not CallList.objects.exists()


def test_an_erasure_takes_the_person_off_every_call_list(sales_a: User, admin: User) -> None:
    party = customer(sales_a)
    call_list = build(sales_a, [party])
    erase_party(party, by=admin)
    assert not CallListItem.objects.filter(party=party).exists()
    assert CallList.objects.filter(pk=call_list.pk).exists()


def test_pages_build_a_list_and_work_through_it_skipping_a_withdrawn_party(
    sales_a: User, client: Client
) -> None:
    first, second = customer(sales_a, given_name="Ana"), customer(sales_a, given_name="Rui")
    client.force_login(sales_a)
    form = {
        "name": "Week 49", "team_id": str(sales_a.team_id), "purpose": "marketing",
        "starts_on": "2027-12-06", "ends_on": "2027-12-06", "max_attempts": "2",
        "party_ids": f"{first.pk} {second.pk}", "script": "Say hello.",
    }  # fmt: skip
    built = client.post("/activities/call-lists/new/", form)
    assert built.status_code == 302
    call_list = CallList.objects.get()
    assert client.get(f"/activities/call-lists/{call_list.pk}/").status_code == 200
    agree(first, ConsentStatus.WITHDRAWN)
    nxt = client.post(f"/activities/call-lists/{call_list.pk}/next/", follow=True)
    page = nxt.content.decode()
    assert "was skipped: The party withdrew consent" in page
    assert "Say hello." in page
    item = item_of(call_list, second)
    done = client.post(
        f"/activities/call-lists/calls/{item.pk}/", {"outcome": "reached", "notes": "Fine."}
    )
    assert done.status_code == 302
    assert item_of(call_list, second).status == ItemStatus.REACHED


def test_the_build_form_shows_errors_next_to_the_fields(sales_a: User, client: Client) -> None:
    client.force_login(sales_a)
    answer = client.post(
        "/activities/call-lists/new/",
        {"name": "X", "starts_on": "2027-12-10", "ends_on": "2027-12-06", "party_ids": "1"},
    )
    assert answer.status_code == 422
    assert "ends_on must not be before starts_on" in answer.content.decode()
    assert not CallList.objects.exists()


def test_team_b_gets_404_for_team_as_call_list_pages(
    sales_a: User, sales_b: User, client: Client
) -> None:
    party = customer(sales_a)
    call_list = build(sales_a, [party])
    item = item_of(call_list, party)
    client.force_login(sales_b)
    assert client.get(f"/activities/call-lists/{call_list.pk}/").status_code == 404
    assert client.post(f"/activities/call-lists/{call_list.pk}/next/").status_code == 404
    assert client.get(f"/activities/call-lists/calls/{item.pk}/").status_code == 404
    refused = client.post(f"/activities/call-lists/calls/{item.pk}/", {"outcome": "refused"})
    assert refused.status_code == 404
    assert item_of(call_list, party).status == ItemStatus.PENDING
    assert "Week" not in client.get("/activities/call-lists/").content.decode()


@pytest.mark.parametrize(
    ("status", "warned"),
    [(ConsentStatus.WITHDRAWN, True), (ConsentStatus.GRANTED, False), (None, False)],
)
def test_a_call_from_my_day_warns_when_the_customer_said_no_to_phone_marketing(
    sales_a: User, web_client: Callable[[User], Client], status: str | None, warned: bool
) -> None:
    party = make_party(owner=sales_a, team=sales_a.team, phone="+351912345678")
    if status is not None:  # None: never asked (an account manager may still call)
        agree(party, status)
    page = web_client(sales_a).get(f"/activities/call/{party.pk}/").content.decode()
    assert ("Not for marketing" in page) is warned
    if warned:
        assert "withdrew consent for this purpose on this channel" in page
