"""My day: today's work, the customers who need attention now, the manager's team view, and
who may see whose day."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from clientela.accounts.models import Role, User
from clientela.activities.models import Activity, AttentionSnooze
from clientela.activities.services import my_day
from clientela.analytics.models import CustomerMetrics
from clientela.core import prepared
from clientela.interactions.models import Interaction
from clientela.parties.models import KeyDate, Party
from tests.factories import make_activity, make_interaction, make_party, make_user

pytestmark = pytest.mark.django_db


def metrics(party: Party, **fields: Any) -> CustomerMetrics:
    today = timezone.now().date()
    fields.setdefault("lifecycle_state", "active")
    fields.setdefault("tier", "gold")
    fields.setdefault("clv", Decimal("900.00"))
    return CustomerMetrics.objects.create(
        party=party, as_of=today, computed_at=timezone.now(), currency="EUR",
        state_since=fields.pop("state_since", today - timedelta(days=10)), **fields,
    )  # fmt: skip


def mine(user: User, **fields: Any) -> Party:
    return make_party(owner=user, team=user.team, **fields)


def due(party: Party, user: User, moment: datetime) -> Activity:
    return make_activity(
        party, assignee=user, due_at=moment, overdue_at=moment, due_date=moment.date()
    )


def whys(user: User) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for entry in my_day(user).attention:
        found.setdefault(entry.why, set()).add(entry.party.pk)
    return found


def test_my_day_lists_overdue_and_todays_activities_but_not_tomorrows(sales_a: User) -> None:
    party = mine(sales_a)
    now = timezone.now()
    late = due(party, sales_a, now - timedelta(days=2))
    soon = due(party, sales_a, now + timedelta(minutes=1))
    due(party, sales_a, now + timedelta(days=2))
    day = my_day(sales_a)
    assert [a.pk for a in day.overdue] == [late.pk]
    if soon.due_at.date() == now.date():  # near midnight UTC "soon" may be tomorrow's
        assert [a.pk for a in day.today] == [soon.pk]


def test_valuable_customers_at_risk_need_attention_and_cheap_ones_do_not(sales_a: User) -> None:
    gold, bronze = mine(sales_a), mine(sales_a)
    make_interaction(gold), make_interaction(bronze)
    metrics(gold, lifecycle_state="at_risk")
    metrics(bronze, lifecycle_state="at_risk", tier="bronze")
    found = whys(sales_a)
    assert found.get("at_risk") == {gold.pk}


def test_customers_silent_for_longer_than_their_tiers_rhythm_need_attention(
    sales_a: User,
) -> None:
    silent, recent, never = mine(sales_a), mine(sales_a), mine(sales_a)
    make_interaction(silent, occurred_at=timezone.now() - timedelta(days=120))
    make_interaction(recent, occurred_at=timezone.now() - timedelta(days=20))
    for party in (silent, recent, never):
        metrics(party)
    assert whys(sales_a).get("out_of_rhythm") == {silent.pk, never.pk}


def test_the_rhythm_is_a_setting_per_tier(sales_a: User, settings: Any) -> None:
    settings.CLIENTELA_CONTACT_RHYTHM = "gold:200"
    party = mine(sales_a)
    make_interaction(party, occurred_at=timezone.now() - timedelta(days=120))
    metrics(party)
    assert "out_of_rhythm" not in whys(sales_a)


def test_birthdays_this_week_and_new_customers_not_welcomed(sales_a: User) -> None:
    birthday, later, new, welcomed = (mine(sales_a) for _ in range(4))
    soon = timezone.now().date() + timedelta(days=3)
    far = timezone.now().date() + timedelta(days=20)
    KeyDate.objects.create(party=birthday, kind="birthday", month=soon.month, day=soon.day)
    KeyDate.objects.create(party=later, kind="birthday", month=far.month, day=far.day)
    bought = timezone.now().date() - timedelta(days=5)
    metrics(new, lifecycle_state="new", tier="", first_purchase_at=bought)
    metrics(welcomed, lifecycle_state="new", tier="", first_purchase_at=bought)
    make_interaction(welcomed, direction="outbound")
    found = whys(sales_a)
    assert found.get("birthday") == {birthday.pk}
    assert found.get("welcome") == {new.pk}
    entry = next(e for e in my_day(sales_a).attention if e.why == "birthday")
    assert entry.in_days == 3
    assert entry.key_date == soon


def test_a_snoozed_customer_leaves_the_list_until_the_day(sales_a: User, client: Client) -> None:
    party = mine(sales_a)
    metrics(party, lifecycle_state="at_risk")
    client.force_login(sales_a)
    answer = client.post(
        "/activities/my-day/snooze/", {"party_id": party.pk}, HTTP_HX_REQUEST="true"
    )
    assert answer.status_code == 200
    assert AttentionSnooze.objects.filter(user=sales_a, party=party).exists()
    assert whys(sales_a) == {}


def test_one_click_log_a_call_and_follow_up(sales_a: User, client: Client) -> None:
    party = mine(sales_a)
    client.force_login(sales_a)
    assert client.post("/activities/my-day/log-call/", {"party_id": party.pk}).status_code == 302
    assert Interaction.objects.filter(party=party, channel="phone", direction="outbound").exists()
    client.post("/activities/my-day/follow-up/", {"party_id": party.pk}, HTTP_HX_REQUEST="true")
    follow = Activity.objects.get(party=party)
    assert follow.assignee == sales_a
    assert follow.due_date > timezone.now().date() - timedelta(days=1)


def test_one_click_actions_on_another_teams_customer_are_404(
    sales_a: User, sales_b: User, client: Client
) -> None:
    theirs = mine(sales_b)
    client.force_login(sales_a)
    for action in ("log-call", "follow-up", "snooze"):
        answer = client.post(f"/activities/my-day/{action}/", {"party_id": theirs.pk})
        assert answer.status_code == 404
    assert not Interaction.objects.exists()
    assert not Activity.objects.exists()


def test_a_manager_sees_the_teams_workload_and_a_members_day(
    api_client: Callable[[User], Client],
) -> None:
    boss = make_user(role=Role.MANAGER, email="boss@example.com", team="Team A")
    rep = make_user(email="rep@example.com", team="Team A")
    outsider = make_user(email="out@example.com", team="Team B")
    party = mine(rep)
    metrics(party, lifecycle_state="at_risk")
    now = timezone.now()
    due(party, rep, now - timedelta(days=1))
    body = api_client(boss).get("/api/v1/my-day").json()
    assert body["team"] == [
        {"user": {"id": rep.pk, "name": str(rep)}, "overdue": 1, "today": 0, "next_7_days": 0,
         "at_risk": 1}
    ]  # fmt: skip
    theirs = api_client(boss).get(f"/api/v1/my-day?user_id={rep.pk}").json()
    assert [a["party"]["id"] for a in theirs["attention"]] == [party.pk]
    assert len(theirs["overdue"]) == 1
    assert theirs["team"] is None
    assert api_client(boss).get(f"/api/v1/my-day?user_id={outsider.pk}").status_code == 404


def test_a_rep_cannot_read_a_colleagues_day(
    sales_a: User, sales_b: User, api_client: Callable[[User], Client], client: Client
) -> None:
    colleague = make_user(email="colleague@example.com", team="Team A")
    for other in (colleague, sales_b):
        assert api_client(sales_a).get(f"/api/v1/my-day?user_id={other.pk}").status_code == 404
    client.force_login(sales_a)
    assert client.get(f"/activities/my-day/?member={colleague.pk}").status_code == 404


def test_the_page_shows_the_day_and_another_day(sales_a: User, client: Client) -> None:
    party = mine(sales_a, given_name="Beatriz", family_name="Lopes")
    metrics(party, lifecycle_state="at_risk")
    friday = date(2030, 5, 10)
    make_activity(party, assignee=sales_a, title="Call back Beatriz", due_date=friday,
                  due_at=datetime(2030, 5, 10, 10, tzinfo=UTC),
                  overdue_at=datetime(2030, 5, 10, 10, tzinfo=UTC))  # fmt: skip
    client.force_login(sales_a)
    page = client.get("/activities/my-day/").content.decode()
    assert "Beatriz Lopes" in page
    assert "Valuable customer at risk" in page
    other = client.get("/activities/my-day/?day=2030-05-10").content.decode()
    assert "Call back Beatriz" in other


def test_my_day_api_answers_in_a_fixed_number_of_queries(
    sales_a: User, api_client: Callable[[User], Client], django_assert_max_num_queries: Any
) -> None:
    for n in range(5):
        party = mine(sales_a)
        metrics(party, lifecycle_state="at_risk" if n % 2 else "active")
        make_activity(party, assignee=sales_a)
    api = api_client(sales_a)
    with django_assert_max_num_queries(14):
        assert api.get("/api/v1/my-day").status_code == 200


def test_the_command_prints_my_day_and_refuses_a_colleagues(sales_a: User) -> None:
    party = mine(sales_a, given_name="Carla", family_name="Reis")
    metrics(party, lifecycle_state="at_risk")
    out = StringIO()
    call_command("activities", "my-day", "--as", sales_a.email, stdout=out, stderr=StringIO())
    assert "Carla Reis\tValuable customer at risk" in out.getvalue()
    out = StringIO()
    call_command("activities", "my-day", "--json", "--as", sales_a.email, stdout=out)
    assert [a["why"] for a in json.loads(out.getvalue())["attention"]] == ["at_risk"]
    colleague = make_user(email="colleague2@example.com", team="Team A")
    with pytest.raises(CommandError, match="not found"):
        call_command(
            "activities", "my-day", "--member", colleague.email, "--as", sales_a.email,
            stdout=StringIO(), stderr=StringIO(),
        )  # fmt: skip


def test_the_api_answers_what_the_response_schema_renders(
    api_client: Callable[[User], Client],
) -> None:
    """My day's answer is checked against MyDayOut in one pass (core.responses): the body is
    what ninja's item-by-item rendering through the schema gives, to the byte."""
    from ninja.responses import NinjaJSONEncoder

    from clientela.activities.presenters import my_day_out
    from clientela.activities.schemas import MyDayOut

    boss = make_user(role=Role.MANAGER, email="boss2@example.com", team="Team A")
    rep = make_user(email="rep2@example.com", team="Team A")
    now = timezone.now()
    for n, state in enumerate(("at_risk", "new", "active")):
        party = mine(boss, given_name="Zoë", family_name=f"Ç{n}")
        metrics(party, lifecycle_state=state, first_purchase_at=now.date() - timedelta(days=3))
        due(party, boss, now - timedelta(days=n + 1, microseconds=123457))
        make_activity(party, queue=boss.team, assignee=None, due_at=now + timedelta(hours=1),
                      overdue_at=now + timedelta(hours=2), due_date=now.date())  # fmt: skip
    due(mine(rep), rep, now - timedelta(days=1))
    answer = api_client(boss).get("/api/v1/my-day")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    expected = MyDayOut.model_validate(my_day_out(my_day(boss))).model_dump()
    assert answer.content.decode() == json.dumps(expected, cls=NinjaJSONEncoder)
    body = answer.json()
    assert len(body["overdue"]) == 3
    assert body["team"]
    assert body["attention"]


def _attention_world(user: User) -> set[int]:
    """A customer of `user` in each attention section; their ids."""
    soon = timezone.now().date() + timedelta(days=2)
    risky, silent, born, new = (mine(user) for _ in range(4))
    metrics(risky, lifecycle_state="at_risk")
    metrics(silent)
    KeyDate.objects.create(party=born, kind="birthday", month=soon.month, day=soon.day)
    metrics(new, lifecycle_state="new", tier="", first_purchase_at=soon - timedelta(days=9))
    return {risky.pk, silent.pk, born.pk, new.pk}


def test_each_users_attention_list_is_their_own_though_its_sql_is_compiled_once(
    sales_a: User, sales_b: User
) -> None:
    """The sections' SQL is compiled once per shape of the access rule (core.prepared): users
    of the same shape share it, and each gets their own customers, snoozes and day."""
    theirs_a, theirs_b = _attention_world(sales_a), _attention_world(sales_b)
    boss = make_user(role=Role.MANAGER, email="boss3@example.com", team="Team B")
    for _round in range(2):
        assert {e.party.pk for e in my_day(sales_a).attention} == theirs_a
        assert {e.party.pk for e in my_day(sales_b).attention} == theirs_b
        assert {e.party.pk for e in my_day(boss, member_id=sales_b.pk).attention} == theirs_b
    snoozed = min(theirs_a)
    AttentionSnooze.objects.create(
        user=sales_a, party_id=snoozed, until=timezone.now().date() + timedelta(days=1)
    )
    assert {e.party.pk for e in my_day(sales_a).attention} == theirs_a - {snoozed}
    assert {e.party.pk for e in my_day(sales_b).attention} == theirs_b
    keys = [key for key, _db, _vendor in prepared._COMPILED if isinstance(key, tuple)]
    sections = {key[1] for key in keys if key[0] == "activities.attention"}
    assert sections == {"at_risk", "out_of_rhythm", "key_dates", "welcome"}


def test_the_prepared_sections_find_what_the_orm_finds(
    sales_a: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    _attention_world(sales_a)
    prepared_list = my_day(sales_a).attention
    monkeypatch.setattr(prepared, "split", lambda rule, prefix: None)
    assert my_day(sales_a).attention == prepared_list
    assert {e.why for e in prepared_list} == {"at_risk", "out_of_rhythm", "birthday", "welcome"}


def test_my_days_activities_are_those_the_orm_reads_with_their_names_loaded(
    sales_a: User, sales_b: User, django_assert_num_queries: Any
) -> None:
    """Activities are read as values through a prepared query and made into instances with
    their party, assignee and queue named: the same as the ORM's, with no query to name them;
    one on a party the user may not see stays out."""
    from clientela.activities.presenters import activity_out, row

    now = timezone.now()
    party = mine(sales_a, given_name="Inês", family_name="Sá")
    late = due(party, sales_a, now - timedelta(days=1))
    queued = make_activity(party, queue=sales_a.team, due_at=now - timedelta(hours=3),
                           overdue_at=now - timedelta(hours=2), due_date=now.date())  # fmt: skip
    hidden = due(make_party(owner=sales_b, team=sales_b.team), sales_a, now - timedelta(days=2))
    day = my_day(sales_a)
    assert [a.pk for a in day.overdue] == [late.pk, queued.pk]
    assert hidden.pk not in {a.pk for a in day.overdue + day.today}
    with django_assert_num_queries(0):
        shown = [activity_out(a) for a in day.overdue]
        rows = [row(a, now) for a in day.overdue]
    related = Activity.objects.select_related("party", "assignee", "queue")
    assert shown == [activity_out(related.get(pk=a.pk)) for a in day.overdue]
    assert [r["who"] for r in rows] == [str(sales_a), sales_a.team]
