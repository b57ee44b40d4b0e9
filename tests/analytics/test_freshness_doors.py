"""Every door that records orders updates the customer's metrics, with no refresh in between:
one order and NDJSON through the API, an upsert, the web import page (inline and in the worker),
the CLI import; and only once the write commits."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from clientela.analytics import apps as analytics_apps
from clientela.analytics.models import CustomerMetrics, RefreshRun
from clientela.analytics.services.refresh import refresh_metrics, today_utc
from clientela.commerce.models import Order
from clientela.commerce.schemas import OrderCreate
from clientela.commerce.services import record_order
from clientela.dedupe.services import merge_parties
from clientela.imports.models import ImportRun, ImportStatus
from clientela.imports.services import uploads
from clientela.parties.models import Party
from clientela.segments.queries import preview
from tests.analytics.conftest import AS_OF, ApiClient, Crowd, WebClient
from tests.segments.helpers import cond

Capture = Callable[..., Any]


@pytest.fixture
def customers(crowd: Crowd) -> list[Party]:
    """Customers with histories, refreshed once (parameters fitted, cut-offs kept)."""
    parties = crowd(60)
    for number, party in enumerate(parties):
        party.external_id = f"C{number}"
        party.save(update_fields=["external_id"])
    refresh_metrics(as_of=AS_OF)
    assert RefreshRun.objects.get().bgnbd is not None
    return parties


def order(party: Party, external_id: str, total: str = "300.00") -> dict[str, object]:
    return {
        "external_id": external_id,
        "party_id": party.pk,
        "ordered_at": f"{today_utc().isoformat()}T00:30:00Z",
        "total": total,
        "currency": "EUR",
    }


def metrics(party: Party) -> CustomerMetrics:
    return CustomerMetrics.objects.get(party=party)


def assert_bought_today(party: Party, before: CustomerMetrics, total: str) -> None:
    after = metrics(party)
    assert after.occasions == before.occasions + 1
    assert after.monetary == (before.monetary or 0) + Decimal(total)
    assert (after.last_purchase_at, after.recency_days, after.as_of) == (
        today_utc(),
        0,
        today_utc(),
    )
    assert after.clv is not None
    assert RefreshRun.objects.count() == 1  # nothing refitted: the last parameters


@pytest.mark.django_db
def test_one_order_through_the_api_updates_the_metrics(
    customers: list[Party],
    admin: User,
    api_client: ApiClient,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    party = customers[0]
    before = metrics(party)
    client = api_client(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/orders", order(party, "NEW-1"), content_type="application/json"
        )
    assert response.status_code == 201
    assert_bought_today(party, before, "300.00")
    body = client.get(f"/api/v1/parties/{party.pk}/metrics").json()
    assert (body["occasions"], body["recency_days"]) == (before.occasions + 1, 0)


@pytest.mark.django_db
def test_bulk_orders_update_each_customer_s_metrics(
    customers: list[Party],
    admin: User,
    api_client: ApiClient,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    first, second = customers[1], customers[2]
    before = {p.pk: metrics(p) for p in (first, second)}
    body = "\n".join(json.dumps(order(p, f"BULK-{p.pk}", "80.00")) for p in (first, second))
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client(admin).post(
            "/api/v1/orders/bulk", data=body, content_type="application/x-ndjson"
        )
    assert response.status_code == 200, response.content
    for party in (first, second):
        assert_bought_today(party, before[party.pk], "80.00")


@pytest.mark.django_db
def test_an_upsert_that_moves_an_order_updates_both_customers(
    customers: list[Party],
    admin: User,
    api_client: ApiClient,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    giver, taker = customers[3], customers[4]
    client = api_client(admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/api/v1/orders", order(giver, "MOVE-1"), content_type="application/json")
    given = metrics(giver)
    moved = json.dumps(order(taker, "MOVE-1"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/orders/bulk?upsert=true", data=moved, content_type="application/x-ndjson"
        )
    assert response.json()["updated"] == 1
    assert metrics(giver).occasions == given.occasions - 1
    assert metrics(taker).last_purchase_at == today_utc()


def _upload(client: Client, content: str) -> ImportRun:
    file = SimpleUploadedFile("orders.csv", content.encode(), content_type="text/csv")
    assert client.post("/imports/", {"kind": "orders", "file": file}).status_code == 302
    return ImportRun.objects.latest("pk")


def _orders_file(parties: list[Party], prefix: str) -> str:
    day = today_utc().isoformat()
    lines = [f"{prefix}-{p.pk},{p.external_id},{day}T00:30:00Z,25.00,EUR" for p in parties]
    return "external_id,customer_id,ordered_at,total,currency\n" + "\n".join(lines) + "\n"


@pytest.mark.django_db
def test_the_web_import_page_updates_the_metrics(
    customers: list[Party],
    admin: User,
    web_client: WebClient,
    settings: Settings,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    settings.HOME = tmp_path
    party = customers[5]
    before = metrics(party)
    client = web_client(admin)
    run = _upload(client, _orders_file([party], "WEB"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{run.pk}/start/", {})
    run.refresh_from_db()
    assert (run.status, run.created) == (ImportStatus.DONE, 1)
    assert_bought_today(party, before, "25.00")
    html = client.get(f"/parties/{party.pk}/metrics-panel/").content.decode()
    assert "0 days since the last purchase" in html


@pytest.mark.django_db
def test_a_large_web_import_updates_its_customers_in_the_worker(
    customers: list[Party],
    admin: User,
    web_client: WebClient,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    settings.HOME = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(uploads, "SMALL_FILE", 0)  # the import runs as a task
    monkeypatch.setattr(analytics_apps, "INLINE_PARTIES", 1)  # and so does the update
    some = customers[6:9]
    before = {p.pk: metrics(p) for p in some}
    client = web_client(admin)
    run = _upload(client, _orders_file(some, "BIG"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/imports/{run.pk}/start/", {})
    run.refresh_from_db()
    assert (run.status, run.created) == (ImportStatus.DONE, 3)
    for party in some:
        assert_bought_today(party, before[party.pk], "25.00")


@pytest.mark.django_db
def test_the_cli_import_updates_the_metrics(
    customers: list[Party], admin: User, tmp_path: Path, django_capture_on_commit_callbacks: Capture
) -> None:
    party = customers[9]
    before = metrics(party)
    path = tmp_path / "orders.csv"
    path.write_text(_orders_file([party], "CLI"))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import", "orders", str(path), "--as", admin.email, stdout=StringIO())
    assert_bought_today(party, before, "25.00")


@pytest.mark.django_db(transaction=True)
def test_the_metrics_change_only_once_the_order_is_committed(crowd: Crowd, admin: User) -> None:
    party = crowd(30)[0]
    refresh_metrics()
    before = metrics(party)
    payload = OrderCreate.model_validate(order(party, "ROLLED-BACK"))

    def record_then_fail() -> None:
        with transaction.atomic():
            record_order(payload, by=admin)
            assert metrics(party).occasions == before.occasions  # not before the commit
            raise RuntimeError("the adapter fails after recording")

    with pytest.raises(RuntimeError):
        record_then_fail()
    assert not Order.objects.filter(external_id="ROLLED-BACK").exists()
    assert metrics(party).occasions == before.occasions
    with transaction.atomic():
        record_order(payload, by=admin)
    assert metrics(party).occasions == before.occasions + 1


@pytest.mark.django_db
def test_segments_see_the_new_values_at_once(
    customers: list[Party],
    admin: User,
    api_client: ApiClient,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    rules = cond("recency_days", "eq", 0)
    assert preview(rules, admin)[0] == 0  # nobody bought today
    party = customers[10]
    with django_capture_on_commit_callbacks(execute=True):
        api_client(admin).post(
            "/api/v1/orders", order(party, "SEGMENT-1"), content_type="application/json"
        )
    count, first = preview(rules, admin)
    assert (count, [p.pk for p in first]) == (1, [party.pk])


@pytest.mark.django_db
def test_a_merge_that_moves_orders_updates_the_survivor_and_drops_the_merged_row(
    customers: list[Party], admin: User, django_capture_on_commit_callbacks: Capture
) -> None:
    survivor, other = customers[11], customers[12]
    before = metrics(survivor)
    moved = metrics(other).occasions
    with django_capture_on_commit_callbacks(execute=True):
        merge_parties(survivor, other, by=admin)
    after = metrics(survivor)
    assert before.occasions < after.occasions <= before.occasions + moved
    assert not CustomerMetrics.objects.filter(party=other).exists()  # archived: no row
