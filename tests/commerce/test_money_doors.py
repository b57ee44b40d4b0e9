"""Money with an exponent through every door that takes orders: the API (one order, a line's
price, NDJSON), the CLI import and the web import give a 422 or a rejected row naming the field
and the value, never a 500 or a traceback; an exact amount such as "1.5e2" is 150.00."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from clientela.commerce.models import Order, OrderLine
from clientela.imports.models import ImportStatus
from tests.api.problems import assert_invalid, assert_problem, send
from tests.api.test_orders import ApiClient, bulk, order
from tests.factories import make_party
from tests.imports.test_orders import _web_import

HEADER = "external_id,customer_id,ordered_at,total,currency\n"
# As the audit sent them: JSON text, JSON numbers, and a number past what the context holds.
TOO_LARGE = ['"1e30"', "1e30", "1046971273721183.0", '"1e999999999999999999"']


@pytest.fixture(autouse=True)
def _private_home(settings: Settings, tmp_path: Path) -> None:
    settings.HOME = tmp_path / "home"


def _with_total(body: dict[str, object], raw: str) -> str:
    """The order as JSON with `raw` written as is for its total (a number stays a number)."""
    return json.dumps({**body, "total": "@"}).replace('"@"', raw)


@pytest.mark.django_db
@pytest.mark.parametrize("raw", TOO_LARGE)
def test_a_total_too_large_for_its_column_is_a_422_through_the_api(
    manager: User, api_client: ApiClient, raw: str
) -> None:
    client = api_client(manager)
    body = order(make_party(external_id="C1"))
    sent = json.loads(raw)
    one = client.post("/api/v1/orders", _with_total(body, raw), content_type="application/json")
    assert assert_invalid(one, "total", sent)["code"] == "amount_too_large"
    many = bulk(client, _with_total(body, raw) + "\n")
    error = assert_problem(many, 422)["errors"][0]
    assert (error["line"], error["field"], error["code"]) == (1, "total", "amount_too_large")
    assert Order.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("raw", TOO_LARGE)
def test_a_line_price_too_large_for_its_column_is_a_422(
    manager: User, api_client: ApiClient, raw: str
) -> None:
    body = order(make_party(external_id="C1"))
    body["lines"] = [{"product": "Tea", "quantity": 1, "unit_price": "@"}]
    text = json.dumps(body).replace('"@"', raw)
    response = api_client(manager).post("/api/v1/orders", text, content_type="application/json")
    assert assert_invalid(response, "lines.0.unit_price")["code"] == "amount_too_large"
    assert (Order.objects.count(), OrderLine.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_an_exact_exponent_is_the_amount_it_writes(manager: User, api_client: ApiClient) -> None:
    client = api_client(manager)
    party = make_party(external_id="C1")
    body = order(party, "E-1", lines=[{"product": "Tea", "quantity": 1, "unit_price": "1.5e2"}])
    assert send(client, "POST", "/api/v1/orders", {**body, "total": "1.5e2"}).status_code == 201
    assert bulk(client, _with_total(order(party, "E-2"), "15e1") + "\n").status_code == 200
    assert {o.total for o in Order.objects.all()} == {Decimal("150.00")}
    assert OrderLine.objects.get(order__external_id="E-1").unit_price == Decimal("150.00")
    again = send(client, "POST", "/api/v1/orders", {**body, "total": "150"})
    assert again.status_code == 200  # the same order: 1.5e2 and 150 are one amount


@pytest.mark.django_db
@pytest.mark.parametrize("total", ["1e30", "1046971273721183.0", "1e999999999999999999"])
def test_the_cli_import_reports_a_total_too_large_as_a_rejected_row(
    admin: User, tmp_path: Path, capsys: pytest.CaptureFixture[str], total: str
) -> None:
    make_party(external_id="C1")
    file = tmp_path / "orders.csv"
    file.write_text(HEADER + f"O1,C1,2024-03-01T10:00:00Z,{total},EUR\n")
    with pytest.raises(SystemExit) as exit_status:
        call_command("import", "orders", str(file))
    assert exit_status.value.code == 1
    err = capsys.readouterr().err
    assert f"row 2, column 'total', value '{total}': is too large (at most 999999999999.99)" in err
    assert "Traceback" not in err
    assert Order.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("total", ["1e30", "1046971273721183.0", "1e999999999999999999"])
def test_the_web_import_reports_a_total_too_large_as_a_rejected_row(
    admin: User, web_client: Callable[[User], Client], total: str
) -> None:
    make_party(external_id="C1")
    client = web_client(admin)
    run = _web_import(client, HEADER + f"O1,C1,2024-03-01T10:00:00Z,{total},EUR\n")
    assert (run.status, run.created, run.rejected) == ("invalid", 0, 1)
    page = client.get(f"/imports/{run.pk}/").content.decode()
    assert "is too large (at most 999999999999.99)" in page
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_an_exact_exponent_imports_as_its_amount_through_the_cli_and_the_web(
    admin: User, web_client: Callable[[User], Client], tmp_path: Path
) -> None:
    make_party(external_id="C1")
    file = tmp_path / "orders.csv"
    file.write_text(HEADER + "O1,C1,2024-03-01T10:00:00Z,1.5e2,EUR\n")
    call_command("import", "orders", str(file))
    run = _web_import(web_client(admin), HEADER + "O2,C1,2024-03-01T10:00:00Z,2.5E+1,EUR\n")
    assert (run.status, run.created) == (ImportStatus.DONE, 1)
    totals = dict(Order.objects.values_list("external_id", "total"))
    assert totals == {"O1": Decimal("150.00"), "O2": Decimal("25.00")}
