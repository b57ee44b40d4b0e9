"""/api/v1/exchange-rates: everyone signed in reads; admins and managers write, one or a file."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from clientela.accounts.models import User
from clientela.commerce.models import ExchangeRate
from tests.api.problems import assert_invalid, assert_problem, send, walk_pages
from tests.factories import make_rate

ApiClient = Callable[[User], Client]
URL = "/api/v1/exchange-rates"
ECB = "Date,USD,JPY,GBP,\n2024-12-06,1.0581,158.95,0.82925,\n2024-12-05,1.0538,N/A,0.8283,\n"

pytestmark = pytest.mark.django_db


def upload(client: Client, text: str, query: str = "") -> object:
    return client.post(f"{URL}/import{query}", data=text.encode(), content_type="text/csv")


def test_a_manager_records_a_rate_and_the_same_rate_again_changes_nothing(
    manager: User, api_client: ApiClient
) -> None:
    client = api_client(manager)
    body = {"day": "2024-12-06", "currency": "usd", "rate": "1.0581"}
    first = send(client, "POST", URL, body)
    assert first.status_code == 201, first.content
    assert first.json() | {"id": 0, "recorded_at": ""} == {
        "id": 0, "day": "2024-12-06", "currency": "USD", "base": "EUR", "rate": "1.0581",
        "source": "api", "recorded_by": str(manager), "recorded_at": "", "outcome": "created",
    }  # fmt: skip
    again = send(client, "POST", URL, body)
    assert (again.status_code, again.json()["outcome"]) == (200, "unchanged")
    other = send(client, "POST", URL, body | {"rate": 1.06})
    assert (other.status_code, other.json()["outcome"]) == (200, "updated")
    assert ExchangeRate.objects.get().rate == Decimal("1.06")


@pytest.mark.parametrize(
    ("field", "value"),
    [("rate", "0"), ("rate", "abc"), ("rate", "1.12345678901"), ("currency", "XYZ"),
     ("day", "2024-02-30"), ("base", "12")],
)  # fmt: skip
def test_a_bad_rate_is_refused_naming_the_field_and_value(
    admin: User, api_client: ApiClient, field: str, value: str
) -> None:
    body = {"day": "2024-12-06", "currency": "USD", "rate": "1.05", field: value}
    assert_invalid(send(api_client(admin), "POST", URL, body), field, value)
    assert not ExchangeRate.objects.exists()


def test_a_currency_against_itself_is_refused(admin: User, api_client: ApiClient) -> None:
    body = {"day": "2024-12-06", "currency": "EUR", "rate": "1", "base": "EUR"}
    error = assert_invalid(send(api_client(admin), "POST", URL, body), "currency", "EUR")
    assert error["code"] == "rate_currency_is_base"


def test_readers_read_and_may_not_write(viewer: User, sales_a: User, api_client: ApiClient) -> None:
    make_rate(date(2024, 12, 6), "USD", "1.0581")
    for user in (viewer, sales_a):
        client = api_client(user)
        listed = client.get(URL)
        assert listed.status_code == 200
        assert [r["currency"] for r in listed.json()["items"]] == ["USD"]
        body = {"day": "2024-12-06", "currency": "USD", "rate": "2"}
        assert assert_problem(send(client, "POST", URL, body), 403)["code"] == "rates_read_only"
        assert assert_problem(upload(client, ECB), 403)["code"] == "rates_read_only"  # type: ignore[arg-type]
    assert ExchangeRate.objects.get().rate == Decimal("1.0581")


def test_without_a_token_nothing_is_read(db: None) -> None:
    assert assert_problem(Client().get(URL), 401)["code"] == "unauthenticated"


def test_an_ecb_file_is_imported_whole_and_again_changes_nothing(
    admin: User, api_client: ApiClient
) -> None:
    client = api_client(admin)
    done = upload(client, ECB)
    assert done.status_code == 200, done.content  # type: ignore[attr-defined]
    assert done.json() == {  # type: ignore[attr-defined]
        "rates": 5, "created": 5, "updated": 0, "unchanged": 0, "first_day": "2024-12-05",
        "last_day": "2024-12-06", "currencies": ["GBP", "JPY", "USD"],
    }  # fmt: skip
    again = upload(client, "\ufeff" + ECB, "?format=ecb")
    assert again.json()["unchanged"] == 5  # type: ignore[attr-defined]


def test_a_bad_file_is_a_422_naming_line_field_and_value_and_writes_nothing(
    admin: User, api_client: ApiClient
) -> None:
    response = upload(api_client(admin), "date,currency,rate\n2024-12-06,USD,1.05\nx,USD,1\n")
    error = assert_invalid(response, "date", "x")  # type: ignore[arg-type]
    assert (error["line"], error["code"]) == (3, "rate_date_invalid")
    assert not ExchangeRate.objects.exists()


def test_a_file_that_is_not_utf8_or_too_large_is_refused(
    admin: User, api_client: ApiClient, settings: object
) -> None:
    client = api_client(admin)
    latin = client.post(f"{URL}/import", data=b"date,currency,rate\n\xe9", content_type="text/csv")
    assert assert_problem(latin, 422)["code"] == "invalid"
    settings.CLIENTELA_BULK_MAX_BYTES = 10  # type: ignore[attr-defined]
    assert assert_problem(upload(client, ECB), 413)["code"] == "body_too_large"  # type: ignore[arg-type]


def test_the_list_filters_and_pages(admin: User, api_client: ApiClient) -> None:
    for day in range(1, 8):
        make_rate(date(2024, 12, day), "USD", f"1.0{day}")
        make_rate(date(2024, 12, day), "GBP", f"0.8{day}")
    client = api_client(admin)
    pages = walk_pages(client, URL, 3, currency="usd", since="2024-12-02", until="2024-12-06")
    days = [r["day"] for page in pages for r in page]
    assert sorted(days) == [f"2024-12-0{d}" for d in range(2, 7)]
    assert_invalid(client.get(URL, {"since": "yesterday"}), "since", "yesterday")
    assert assert_problem(client.get(URL, {"cur": "USD"}), 422)["code"] == "query_parameter_unknown"
