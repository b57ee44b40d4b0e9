"""Planning, completing, recurring and calling off activities, through the services."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from pytest_django.fixtures import Settings

from clientela.accounts.models import Role, User, validate_time_zone
from clientela.activities.models import Activity, ActivityEvent, ActivityStatus, Assignment
from clientela.activities.queries import get_visible_activity
from clientela.activities.schemas import ActivityComplete, ActivitySnooze, ActivityUpdate
from clientela.activities.services import (
    cancel_activity,
    complete_activity,
    due_moments,
    next_due_date,
    snooze_activity,
    update_activity,
)
from clientela.core.errors import Conflict, Forbidden, Invalid, NotFound
from clientela.interactions.models import Channel, Interaction
from clientela.interactions.services import timeline
from clientela.parties.models import Party
from tests.activities.conftest import plan
from tests.factories import make_user


def test_a_timed_activity_is_due_at_its_moment_in_its_zone() -> None:
    due_at, overdue_at = due_moments(date(2030, 7, 1), time(9, 30), "Asia/Kathmandu")
    assert due_at == datetime(2030, 7, 1, 3, 45, tzinfo=UTC) == overdue_at


def test_an_all_day_activity_is_overdue_only_after_its_day_in_its_zone() -> None:
    due_at, overdue_at = due_moments(date(2030, 7, 1), None, "America/Sao_Paulo")
    assert due_at == datetime(2030, 7, 1, 3, tzinfo=UTC)
    assert overdue_at == datetime(2030, 7, 2, 3, tzinfo=UTC)


def test_monthly_recurrence_keeps_to_the_month_end() -> None:
    assert next_due_date(date(2030, 1, 31), "months", 1) == date(2030, 2, 28)
    assert next_due_date(date(2030, 11, 15), "months", 3) == date(2031, 2, 15)
    assert next_due_date(date(2030, 1, 1), "weeks", 2) == date(2030, 1, 15)
    assert next_due_date(date(2030, 1, 1), "days", 10) == date(2030, 1, 11)


@pytest.mark.django_db
def test_an_activity_is_the_creators_own_and_due_in_their_zone(
    sales_a: User, party_a: Party
) -> None:
    sales_a.time_zone = "Europe/Lisbon"
    sales_a.save()
    activity = plan(party_a, sales_a, due_time="10:00")
    assert activity.assignee == sales_a
    assert activity.time_zone == "Europe/Lisbon"
    assert activity.due_at == datetime(2030, 5, 6, 9, tzinfo=UTC)  # summer time: UTC+1
    assert Assignment.objects.count() == 0  # nobody is told of their own plans


@pytest.mark.django_db
def test_completing_writes_exactly_one_interaction_and_both_appear_on_the_timeline(
    sales_a: User, party_a: Party
) -> None:
    activity = plan(party_a, sales_a)
    done, following = complete_activity(
        activity, ActivityComplete(outcome="Renewed for a year", notes="Happy"), by=sales_a
    )
    assert following is None
    interaction = Interaction.objects.get()
    assert (interaction.party, interaction.channel, interaction.direction) == (
        party_a,
        "phone",
        "outbound",
    )
    assert (interaction.subject, interaction.outcome) == (
        "Call about the renewal",
        "Renewed for a year",
    )
    assert done.status == ActivityStatus.DONE
    assert done.interaction == interaction
    entries, _cursor = timeline(party_a)
    kinds = [(e.kind, e.data.get("status")) for e in entries]
    assert ("interaction", None) in kinds
    assert ("activity", "done") in kinds
    assert ("activity", "scheduled") in kinds
    assert len(entries) == 3


@pytest.mark.django_db
def test_a_finished_activity_cannot_be_completed_again(sales_a: User, party_a: Party) -> None:
    activity = plan(party_a, sales_a)
    complete_activity(activity, ActivityComplete(outcome="Reached"), by=sales_a)
    with pytest.raises(Conflict) as caught:
        complete_activity(activity, ActivityComplete(outcome="Again"), by=sales_a)
    assert caught.value.code == "activity_not_pending"
    assert Interaction.objects.count() == 1


@pytest.mark.django_db
def test_a_follow_up_asks_how_the_contact_took_place(sales_a: User, party_a: Party) -> None:
    activity = plan(party_a, sales_a, kind="follow_up")
    with pytest.raises(Invalid) as caught:
        complete_activity(activity, ActivityComplete(outcome="Done"), by=sales_a)
    assert caught.value.errors[0].code == "activity_channel_required"
    assert Interaction.objects.count() == 0
    complete_activity(activity, ActivityComplete(outcome="Done", channel=Channel.EMAIL), by=sales_a)
    assert Interaction.objects.get().channel == "email"


@pytest.mark.django_db
def test_completing_a_recurring_activity_plans_the_next_one(sales_a: User, party_a: Party) -> None:
    activity = plan(party_a, sales_a, repeat_unit="weeks", repeat_every=2, due_time="09:00")
    _done, following = complete_activity(activity, ActivityComplete(outcome="Reached"), by=sales_a)
    assert following is not None
    assert (following.due_date, following.due_time) == (date(2030, 5, 20), time(9))
    assert following.status == ActivityStatus.OPEN
    assert following.previous == activity
    assert (following.repeat_unit, following.repeat_every) == ("weeks", 2)
    assert following.assignee == sales_a
    assert ActivityEvent.objects.filter(activity=following, action="scheduled").count() == 1


@pytest.mark.django_db
def test_a_team_b_user_cannot_see_team_a_activities(
    sales_a: User, sales_b: User, party_a: Party
) -> None:
    activity = plan(party_a, sales_a)
    with pytest.raises(NotFound):
        get_visible_activity(sales_b, activity.pk)
    assert get_visible_activity(sales_a, activity.pk) == activity


@pytest.mark.django_db
def test_an_activity_goes_only_to_someone_who_can_see_the_party(
    sales_a: User, sales_b: User, party_a: Party
) -> None:
    with pytest.raises(Invalid) as caught:
        plan(party_a, sales_a, assignee_id=sales_b.pk)
    assert caught.value.errors[0].code == "activity_assignee_invalid"
    assert sales_b.team is not None
    with pytest.raises(Invalid) as queued:
        plan(party_a, sales_a, queue_id=sales_b.team.pk)
    assert queued.value.errors[0].code == "activity_queue_invalid"
    assert Activity.objects.count() == 0


@pytest.mark.django_db
def test_a_team_queue_is_seen_by_the_team(sales_a: User, party_a: Party) -> None:
    colleague = make_user(role=Role.SALES, team="Team A")
    assert sales_a.team is not None
    activity = plan(party_a, sales_a, queue_id=sales_a.team.pk)
    assert get_visible_activity(colleague, activity.pk) == activity
    assert activity.assignee is None


@pytest.mark.django_db
def test_giving_an_activity_to_a_colleague_tells_them(sales_a: User, party_a: Party) -> None:
    colleague = make_user(role=Role.SALES, team="Team A")
    activity = plan(party_a, sales_a, assignee_id=colleague.pk)
    notice = Assignment.objects.get()
    assert (notice.user, notice.activity, notice.by) == (colleague, activity, sales_a)


@pytest.mark.django_db
def test_a_viewer_may_not_plan_anything(viewer: User, party_a: Party) -> None:
    with pytest.raises(Forbidden):
        plan(party_a, viewer)


@pytest.mark.django_db
def test_an_update_changes_only_what_was_sent(sales_a: User, party_a: Party) -> None:
    activity = plan(party_a, sales_a, notes="Bring the contract", due_time="10:00")
    update_activity(activity, ActivityUpdate(due_date=date(2030, 5, 8)), by=sales_a)
    activity.refresh_from_db()
    assert (activity.notes, activity.due_time, activity.due_date) == (
        "Bring the contract",
        time(10),
        date(2030, 5, 8),
    )
    update_activity(activity, ActivityUpdate.model_validate({"due_time": None}), by=sales_a)
    activity.refresh_from_db()
    assert activity.due_time is None
    assert activity.is_all_day


@pytest.mark.django_db
def test_snoozing_needs_a_later_moment_and_cancelling_ends_it(
    sales_a: User, party_a: Party
) -> None:
    activity = plan(party_a, sales_a)
    with pytest.raises(Invalid):
        snooze_activity(activity, ActivitySnooze(until=timezone.now()), by=sales_a)
    later = timezone.now() + timedelta(days=2)
    snooze_activity(activity, ActivitySnooze(until=later), by=sales_a)
    assert (activity.status, activity.snoozed_until) == (ActivityStatus.SNOOZED, later)
    cancel_activity(activity, by=sales_a)
    assert activity.status == ActivityStatus.CANCELLED
    assert list(activity.events.values_list("action", flat=True)) == ["cancelled", "scheduled"]


@pytest.mark.django_db
def test_a_time_zone_this_machine_does_not_know_falls_back_to_the_companys(
    sales_a: User, party_a: Party, settings: Settings
) -> None:
    settings.TIME_ZONE = "Europe/Madrid"
    User.objects.filter(pk=sales_a.pk).update(time_zone="Mars/Olympus_Mons")  # not via a form
    sales_a.refresh_from_db()
    assert plan(party_a, sales_a).time_zone == "Europe/Madrid"
    with pytest.raises(ValidationError):
        validate_time_zone("Mars/Olympus_Mons")
    validate_time_zone("Asia/Kathmandu")
