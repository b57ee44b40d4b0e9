"""`clientela demo`: a realistic company, built fast, and never over a real database."""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Max
from django.test import Client
from django.utils import timezone

from clientela.accounts.models import User
from clientela.accounts.services import company_settings
from clientela.analytics.models import RefreshRun
from clientela.commerce.models import ExchangeRate, Order, OrderLine
from clientela.core.errors import Conflict
from clientela.demo.models import DemoDatabase
from clientela.demo.services import DEFAULT_CUSTOMERS, refresh_days, replaceable_database
from clientela.demo.services.population import Plan
from clientela.interactions.models import Channel, Direction, Interaction
from clientela.parties.models import (
    Affiliation,
    ContactPoint,
    KeyDateKind,
    OrganizationLevel,
    Party,
    PartyChange,
    PartyKind,
    PartyRole,
    RelationshipRole,
)
from clientela.parties.queries import search_parties
from clientela.parties.services import display_name, validate_custom
from clientela.parties.services.identity import normalize_contact
from tests import factories


def build(customers: int = 200, *extra: str) -> str:
    out = StringIO()
    call_command("demo", "--no-serve", "--customers", str(customers), "--seed", "7", *extra,
                 stdout=out)  # fmt: skip
    return out.getvalue()


def test_the_default_demo_has_at_least_two_thousand_parties() -> None:
    assert Plan(DEFAULT_CUSTOMERS).minimum_parties() >= 2000


@pytest.mark.django_db
def test_demo_builds_persons_and_organizations_of_every_role() -> None:
    build()
    assert set(PartyRole.objects.values_list("role", flat=True)) == set(RelationshipRole.values)
    kinds = dict(Party.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds[PartyKind.PERSON] > 200
    assert kinds[PartyKind.ORGANIZATION] > 40
    assert PartyRole.objects.filter(role=RelationshipRole.CUSTOMER).count() >= 200


@pytest.mark.django_db
def test_the_demo_company_is_a_lisbon_shop_selling_in_euros() -> None:
    build(20)
    found = company_settings()
    assert (found.country, found.time_zone, found.reporting_currency, found.language) == (
        "PT",
        "Europe/Lisbon",
        "EUR",
        "pt",
    )
    assert found.name


@pytest.mark.django_db
def test_demo_orders_span_three_years_with_loyal_one_time_and_lapsed_buyers() -> None:
    build()
    now = timezone.now()
    first = Order.objects.earliest("ordered_at").ordered_at
    last = Order.objects.latest("ordered_at").ordered_at
    assert now - timedelta(days=3 * 366) <= first <= now - timedelta(days=2 * 365)
    assert last >= now - timedelta(days=30)
    buyers = Party.objects.annotate(orders_n=Count("orders"), last=Max("orders__ordered_at"))
    assert buyers.filter(orders_n__gte=12).exists()  # loyal repeat buyers
    assert buyers.filter(orders_n=1).exists()  # one-time buyers
    lapsed = buyers.filter(orders_n__gte=3, last__lt=now - timedelta(days=270))
    assert lapsed.exists()
    assert OrderLine.objects.count() >= Order.objects.count()
    # Most orders are in euros; British businesses pay in pounds, a group's head office in dollars.
    # The share moves with the day the demo is built, so the bound is loose.
    by_currency = dict(Order.objects.values_list("currency").annotate(n=Count("id")))
    assert set(by_currency) == {"EUR", "GBP", "USD"}
    assert by_currency["EUR"] >= 0.75 * sum(by_currency.values())


@pytest.mark.django_db
def test_demo_order_totals_are_the_sum_of_their_lines() -> None:
    build(40)
    for order in Order.objects.prefetch_related("lines")[:200]:
        assert order.total == sum(line.quantity * line.unit_price for line in order.lines.all())


@pytest.mark.django_db
def test_demo_has_dollar_and_pound_orders_and_the_rates_that_convert_them() -> None:
    build(200)
    currencies = set(Order.objects.values_list("currency", flat=True))
    assert {"USD", "GBP", "EUR"} <= currencies
    assert ExchangeRate.objects.filter(currency="USD").count() > 700  # every weekday, 3 years
    run = RefreshRun.objects.order_by("-finished_at", "-id").first()
    assert run is not None
    # The demo company (a Lisbon shop) chose euros; the dollar and pound orders are converted.
    assert (run.currency, run.currency_source, run.excluded_orders) == (
        "EUR",
        "set",
        0,
    )


@pytest.mark.django_db
def test_demo_has_interactions_on_every_channel_both_ways() -> None:
    build()
    assert set(Interaction.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert set(Interaction.objects.values_list("direction", flat=True)) == set(Direction.values)
    assert not Interaction.objects.filter(occurred_at__gt=timezone.now()).exists()


@pytest.mark.django_db
def test_demo_parties_are_stored_as_the_parties_service_stores_them() -> None:
    build(60)
    for point in ContactPoint.objects.all():
        assert point.normalized == normalize_contact(point.kind, point.value)
    for party in Party.objects.all():
        assert party.display_name == display_name(party)
        assert isinstance(validate_custom(party.kind, party.custom, current={}), dict)
    admin = User.objects.get(email="demo@clientela.local")
    email = ContactPoint.objects.filter(kind="email").order_by("id").last()
    assert email is not None
    assert email.party in search_parties(admin, q=email.value.upper())


@pytest.mark.django_db
def test_demo_has_organization_hierarchies_people_and_key_dates() -> None:
    build()
    location = Party.objects.filter(organization_level=OrganizationLevel.LOCATION).first()
    assert location is not None
    assert location.parent is not None
    assert location.parent.organization_level == OrganizationLevel.SUBSIDIARY
    assert location.parent.parent is not None
    assert location.parent.parent.organization_level == OrganizationLevel.GLOBAL_ACCOUNT
    assert Affiliation.objects.filter(organization__roles__role="customer").exists()
    kinds = set(Party.objects.values_list("key_dates__kind", flat=True))
    assert {KeyDateKind.BIRTHDAY, KeyDateKind.CUSTOMER_SINCE} <= kinds
    assert Party.objects.filter(tags__name="vip").exists()
    assert not Party.objects.filter(team__isnull=True).exists()


@pytest.mark.django_db
def test_demo_prints_logins_that_work() -> None:
    output = build(20)
    password = re.search(r"Password for every demo user: (\S+)", output)
    assert password is not None
    assert "http://127.0.0.1:8000/" in output
    for email in ("demo@clientela.local", "sales.pt@clientela.local", "viewer@clientela.local"):
        assert authenticate(username=email, password=password.group(1)) is not None


@pytest.mark.django_db(transaction=True)  # each build commits, as it does for real
def test_demo_rebuilds_an_earlier_demo() -> None:
    build(20)
    build(20)
    assert DemoDatabase.objects.count() == 1
    assert User.objects.filter(email="demo@clientela.local").count() == 1


@pytest.mark.django_db
def test_demo_refuses_to_wipe_a_database_that_is_not_a_demo() -> None:
    factories.make_user(email="real@example.com")
    with pytest.raises(CommandError, match="not a demo: refusing to wipe it"):
        build(20)
    assert list(User.objects.values_list("email", flat=True)) == ["real@example.com"]
    assert not Party.objects.exists()


@pytest.mark.django_db
def test_demo_refusal_carries_a_code_and_the_counts() -> None:
    factories.make_user(email="real@example.com")
    with pytest.raises(Conflict) as caught:
        replaceable_database(force=False)
    assert caught.value.code == "demo_database_not_a_demo"
    assert (caught.value.params["users"], caught.value.params["parties"]) == (1, 0)
    assert replaceable_database(force=True) is True


def test_demo_values_customers_as_of_six_month_starts_then_today() -> None:
    days = refresh_days(date(2025, 3, 14))
    assert days[:2] == [date(2024, 9, 1), date(2024, 10, 1)]
    assert days[-2:] == [date(2025, 2, 1), date(2025, 3, 14)]


@pytest.mark.django_db
def test_demo_parties_start_their_change_log_as_the_parties_service_does() -> None:
    build(20)
    party = Party.objects.filter(kind=PartyKind.PERSON).first()
    assert party is not None
    (change,) = PartyChange.objects.filter(party=party)
    assert change.action == "created"
    assert change.actor == User.objects.get(email="demo@clientela.local")
    assert change.changes["given_name"] == [None, party.given_name]
    assert PartyChange.objects.filter(action="created").count() == Party.objects.count()
    # Beyond its creation, a party changed only in the demo's one merge (recent_work).
    from clientela.dedupe.models import MergeRecord

    (merge,) = MergeRecord.objects.all()
    later = set(PartyChange.objects.exclude(action="created").values_list("party_id", flat=True))
    assert later <= {merge.survivor_id, merge.merged_party_id}


@pytest.mark.django_db
def test_the_admin_shows_the_demo_mark_read_only() -> None:
    build(20)
    client = Client()
    client.force_login(User.objects.get(email="demo@clientela.local"))
    mark = DemoDatabase.objects.get()
    assert client.get("/admin/demo/demodatabase/").status_code == 200
    assert client.get(f"/admin/demo/demodatabase/{mark.pk}/change/").status_code == 200
    assert client.get("/admin/demo/demodatabase/add/").status_code == 403


@pytest.mark.django_db
def test_demo_reps_have_activities_due_overdue_done_and_recurring() -> None:
    from clientela.activities.models import Activity, ActivityStatus
    from clientela.activities.queries import due_now

    build()
    rep = User.objects.get(email="sales.pt@clientela.local")
    assert due_now(rep).exists()
    statuses = set(Activity.objects.values_list("status", flat=True))
    assert {ActivityStatus.OPEN, ActivityStatus.DONE} <= statuses
    done = Activity.objects.filter(status=ActivityStatus.DONE).first()
    assert done is not None
    assert done.interaction is not None
    assert Activity.objects.exclude(repeat_unit="").exists()
    assert Activity.objects.filter(queue__isnull=False).exists()


@pytest.mark.django_db
def test_the_demo_shows_a_saved_view_per_rep_a_merge_to_undo_and_the_audit_log() -> None:
    from django.core import mail

    from clientela.accounts.models import AuditEntry, Invitation, Role
    from clientela.dedupe.models import MergeRecord
    from clientela.dedupe.services import unmerge
    from clientela.dedupe.services.unmerges import can_unmerge
    from clientela.demo.services.recent_work import REP_VIEW
    from clientela.segments.models import SavedView

    output = build()
    reps = User.objects.filter(role=Role.SALES)
    assert reps.count() == 6  # five in the staff list and the new hire
    for rep in reps:
        (view,) = SavedView.objects.filter(owner=rep)
        assert (view.name, view.sharing, view.sort) == (REP_VIEW, "private", "-clv")
        client = Client()
        client.force_login(rep)
        page = client.get(f"/parties/?view={view.pk}&owner={rep.pk}&lifecycle=at_risk&sort=-clv")
        assert page.status_code == 200
        assert REP_VIEW in page.content.decode()

    (merge,) = MergeRecord.objects.all()
    assert can_unmerge(merge)
    assert f"/duplicates/merges/{merge.pk}/" in output
    manager = User.objects.get(email="manager@clientela.local")
    client = Client()
    client.force_login(manager)
    detail = client.get(f"/duplicates/merges/{merge.pk}/").content.decode()
    assert f'action="/duplicates/merges/{merge.pk}/unmerge/"' in detail

    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions.count("user.invited") == 2
    for action in ("user.joined", "user.role_changed", "token.created",
                   "parties.bulk_exported", "parties.merged"):  # fmt: skip
        assert action in actions, action
    assert Invitation.objects.filter(accepted_at__isnull=True).count() == 1
    hire = User.objects.get(email="nuno.silva@clientela.local")
    assert hire.role == Role.SALES
    assert mail.outbox == []  # invented addresses: recorded, never mailed
    admin = User.objects.get(email="demo@clientela.local")
    client.force_login(admin)
    audit = client.get("/settings/audit/").content.decode()
    assert "nuno.silva@clientela.local" in audit
    assert "/settings/audit/" in output

    with transaction.atomic():
        unmerge(merge.pk, by=manager)
    merge.refresh_from_db()
    assert Party.objects.filter(pk=merge.merged_party_id, archived_at__isnull=True).exists()
