"""The exchange rates page: everyone signed in sees the rates; admins and managers enter one or
upload a file; the commands do the same from a terminal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from clientela.accounts.models import User
from clientela.commerce.models import ExchangeRate
from tests.factories import make_rate

WebClient = Callable[[User], Client]
URL = "/exchange-rates/"

pytestmark = pytest.mark.django_db


def test_everyone_signed_in_sees_the_rates_and_only_writers_see_the_forms(
    viewer: User, manager: User, web_client: WebClient
) -> None:
    make_rate(date(2024, 12, 6), "JPY", "158.9500")
    page = web_client(viewer).get(URL).content.decode()
    assert "158.95" in page
    assert "158.9500" not in page
    assert 'id="rate-form"' not in page
    assert 'id="rates-upload"' not in page
    page = web_client(manager).get(URL).content.decode()
    assert 'id="rate-form"' in page
    assert 'id="rates-upload"' in page
    assert Client().get(URL).status_code == 302  # to the sign-in page


def test_a_manager_enters_a_rate_by_hand(manager: User, web_client: WebClient) -> None:
    client = web_client(manager)
    form = {"day": "2024-12-06", "currency": "usd", "rate": "1.0581", "base": ""}
    response = client.post(URL, form, follow=True)
    assert "Recorded: on 2024-12-06, 1 EUR = 1.0581 USD." in response.content.decode()
    again = client.post(URL, form, follow=True)
    assert "Unchanged" in again.content.decode()
    assert ExchangeRate.objects.get().recorded_by == manager


def test_a_bad_rate_is_shown_next_to_its_field_and_nothing_is_saved(
    admin: User, web_client: WebClient
) -> None:
    response = web_client(admin).post(
        URL, {"day": "2024-12-06", "currency": "USD", "rate": "-1", "base": "EUR"}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="rate-error"' in page
    assert "must be above 0 (you entered “-1”)" in page
    assert not ExchangeRate.objects.exists()


def test_a_viewer_may_not_post_a_rate(viewer: User, web_client: WebClient) -> None:
    client = web_client(viewer)
    assert (
        client.post(URL, {"day": "2024-12-06", "currency": "USD", "rate": "1"}).status_code == 403
    )
    upload = SimpleUploadedFile("r.csv", b"date,currency,rate\n2024-12-06,USD,1\n")
    assert client.post(URL + "import/", {"file": upload}).status_code == 403
    assert not ExchangeRate.objects.exists()


def test_a_file_is_uploaded_whole_or_its_problems_are_listed(
    admin: User, web_client: WebClient
) -> None:
    client = web_client(admin)
    good = SimpleUploadedFile(
        "eurofxref.csv", b"Date, USD, GBP, \n06 December 2024, 1.0581, 0.82925, \n"
    )
    response = client.post(URL + "import/", {"file": good, "format": "ecb"}, follow=True)
    assert "2 rates read (2024-12-06 to 2024-12-06): 2 new" in response.content.decode()
    assert ExchangeRate.objects.get(currency="GBP").source == "eurofxref.csv"
    bad = SimpleUploadedFile(
        "r.csv", b"date,currency,rate\n2024-12-07,USD,1.06\n2024-12-08,USD,x\n"
    )
    refused = client.post(URL + "import/", {"file": bad})
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "Nothing was imported." in page
    assert "line 3: rate: is not a number (got &#x27;x&#x27;)" in page
    assert ExchangeRate.objects.count() == 2


def test_the_commands_import_set_and_list(tmp_path: Path) -> None:
    path = tmp_path / "eurofxref-hist.csv"
    path.write_text("Date,USD,JPY,\n2024-12-06,1.0581,158.95,\n2024-12-05,1.0538,N/A,\n")
    out = StringIO()
    call_command("rates", "import", str(path), stdout=out)
    assert (
        "3 rates read (2024-12-05 to 2024-12-06): 3 new, 0 updated, 0 unchanged." in out.getvalue()
    )
    call_command("rates", "import", str(path), "--format", "ecb", stdout=(again := StringIO()))
    assert "0 new, 0 updated, 3 unchanged" in again.getvalue()
    call_command("rates", "set", "2024-12-06", "USD", "1.06", stdout=(one := StringIO()))
    assert "Updated: on 2024-12-06, 1 EUR = 1.06 USD." in one.getvalue()
    call_command("rates", "list", "--currency", "usd", stdout=(listed := StringIO()))
    assert listed.getvalue().splitlines() == [
        "2024-12-06  1 EUR = 1.06 USD  (command)",
        "2024-12-05  1 EUR = 1.0538 USD  (eurofxref-hist.csv)",
    ]
    assert ExchangeRate.objects.get(currency="JPY").rate == Decimal("158.95")


def test_a_bad_file_or_rate_ends_the_command_with_each_problem(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text("date,currency,rate\n2024-12-06,USD,1.05\n2024-12-07,USD,abc\n")
    err = StringIO()
    with pytest.raises(CommandError, match="1 problems in the file; nothing was imported"):
        call_command("rates", "import", str(path), stderr=err)
    assert "line 3: rate: is not a number (got 'abc')" in err.getvalue()
    with pytest.raises(CommandError, match="rate: must be above 0"):
        call_command("rates", "set", "2024-12-06", "USD", "0")
    with pytest.raises(CommandError, match="No such file"):
        call_command("rates", "import", str(tmp_path / "missing.csv"))
    assert not ExchangeRate.objects.exists()
