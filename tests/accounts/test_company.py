"""The company's settings: one writer for admins, one cached reader, and every door to them
(the settings page, GET/PATCH /api/v1/company, `clientela company`, `clientela init`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from pytest_django.fixtures import Settings

from clientela.accounts.models import Company, User
from clientela.accounts.services import company_settings, update_company
from clientela.core.errors import Forbidden, Invalid
from tests.api.problems import assert_problem

pytestmark = pytest.mark.django_db
URL = "/api/v1/company"


# The service


def test_unset_settings_come_from_the_environment(settings: Settings) -> None:
    settings.CLIENTELA_DEFAULT_PHONE_REGION = "GB"
    settings.TIME_ZONE = "Europe/London"
    settings.CLIENTELA_REPORTING_CURRENCY = ""
    found = company_settings()
    assert (found.country, found.time_zone, found.reporting_currency) == (
        "GB",
        "Europe/London",
        "",
    )
    assert found.set_fields == frozenset()


def test_an_admin_sets_each_field_and_the_reader_sees_it_at_once(admin: User) -> None:
    company_settings()  # kept in the process: the writer must make it forget
    update_company(
        by=admin,
        name="  Loja  do Porto ",
        country="pt",
        time_zone="europe/lisbon",
        reporting_currency="eur",
        language="PT",
    )
    found = company_settings()
    assert (found.name, found.country, found.time_zone) == ("Loja do Porto", "PT", "Europe/Lisbon")
    assert (found.reporting_currency, found.language) == ("EUR", "pt")
    assert Company.objects.get().updated_by == admin


def test_an_empty_value_unsets_a_field_and_the_environment_shows_again(
    admin: User, settings: Settings
) -> None:
    settings.TIME_ZONE = "UTC"
    update_company(by=admin, time_zone="Europe/Rome", country="IT")
    update_company(by=admin, time_zone="")
    found = company_settings()
    assert (found.time_zone, found.country) == ("UTC", "IT")
    assert found.set_fields == frozenset({"country"})


def test_every_wrong_field_is_named_and_nothing_is_written(admin: User) -> None:
    with pytest.raises(Invalid) as caught:
        update_company(
            by=admin,
            name="Ok",
            country="XX",
            time_zone="Mars/Olympus",
            reporting_currency="EUU",
            language="de",
        )
    codes = {(e.field, e.code, e.value) for e in caught.value.errors}
    assert codes == {
        ("country", "country_unknown", "XX"),
        ("time_zone", "time_zone_unknown", "Mars/Olympus"),
        ("reporting_currency", "currency_unknown", "EUU"),
        ("language", "language_unknown", "de"),
    }
    assert not Company.objects.exists()


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_only_an_admin_may_change_them(role: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(role)
    with pytest.raises(Forbidden):
        update_company(by=user, country="PT")
    assert not Company.objects.exists()


def test_there_is_only_ever_one_row(admin: User) -> None:
    update_company(by=admin, country="PT")
    update_company(by=admin, country="ES")
    assert Company.objects.count() == 1


# The API


def test_anyone_signed_in_reads_them(
    admin: User, viewer: User, api_client: Callable[[User], Client]
) -> None:
    update_company(by=admin, country="BR", time_zone="America/Sao_Paulo")
    response = api_client(viewer).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert (body["country"], body["time_zone"]) == ("BR", "America/Sao_Paulo")
    assert body["set"] == ["country", "time_zone"]


def test_an_admin_changes_them_by_patch(admin: User, api_client: Callable[[User], Client]) -> None:
    response = api_client(admin).patch(
        URL, {"reporting_currency": "USD", "language": "es"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["reporting_currency"], response.json()["language"]) == ("USD", "es")
    assert company_settings().reporting_currency == "USD"


def test_a_non_admin_patch_is_403_and_changes_nothing(
    manager: User, api_client: Callable[[User], Client]
) -> None:
    response = api_client(manager).patch(URL, {"country": "PT"}, content_type="application/json")
    assert assert_problem(response, 403)["code"] == "company_admin_only"
    assert not Company.objects.exists()


def test_a_wrong_time_zone_is_a_422_naming_the_field(
    admin: User, api_client: Callable[[User], Client]
) -> None:
    response = api_client(admin).patch(
        URL, {"time_zone": "Europe/Lisboa"}, content_type="application/json"
    )
    body = assert_problem(response, 422)
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("time_zone", "time_zone_unknown")]


def test_an_undeclared_field_is_refused(admin: User, api_client: Callable[[User], Client]) -> None:
    response = api_client(admin).patch(URL, {"id": 2}, content_type="application/json")
    assert_problem(response, 422)
    assert not Company.objects.exists()


# The page


def test_the_settings_page_saves_and_shows_the_settings(
    admin: User, web_client: Callable[[User], Client]
) -> None:
    client = web_client(admin)
    page = client.get("/settings/company/")
    assert page.status_code == 200
    assert b'name="time_zone"' in page.content
    response = client.post(
        "/settings/company/",
        {"name": "Loja", "country": "PT", "time_zone": "Europe/Lisbon", "language": "pt"},
    )
    assert response.status_code == 302
    found = company_settings()
    assert (found.name, found.country, found.time_zone, found.language) == (
        "Loja",
        "PT",
        "Europe/Lisbon",
        "pt",
    )
    assert found.reporting_currency == "" or "reporting_currency" not in found.set_fields


def test_the_settings_page_shows_an_error_beside_the_field(
    admin: User, web_client: Callable[[User], Client]
) -> None:
    response = web_client(admin).post(
        "/settings/company/", {"country": "PT", "time_zone": "Nowhere/Town"}
    )
    assert response.status_code == 422
    assert b'id="time_zone-error"' in response.content
    assert "Nowhere/Town" in response.content.decode()
    assert not Company.objects.exists()


@pytest.mark.parametrize("role", ["manager", "viewer"])
def test_the_settings_page_is_403_for_others(
    role: str, request: pytest.FixtureRequest, web_client: Callable[[User], Client]
) -> None:
    client = web_client(request.getfixturevalue(role))
    assert client.get("/settings/company/").status_code == 403
    assert client.post("/settings/company/", {"country": "PT"}).status_code == 403
    assert not Company.objects.exists()


def test_the_navigation_leads_admins_to_the_settings(
    admin: User, viewer: User, web_client: Callable[[User], Client]
) -> None:
    # The header leads to the administration, whose pages all lead to the company's settings.
    assert b'href="/settings/users/"' in web_client(admin).get("/").content
    assert b'href="/settings/company/"' in web_client(admin).get("/settings/users/").content
    assert b'href="/settings/users/"' not in web_client(viewer).get("/").content


# The commands


def test_company_set_and_show(admin: User) -> None:
    out = StringIO()
    call_command(
        "company", "set", "--country", "PT", "--time-zone", "Europe/Lisbon", "--currency", "EUR",
        "--name", "Loja", "--language", "pt", stdout=out,
    )  # fmt: skip
    assert "Europe/Lisbon" in out.getvalue()
    shown = StringIO()
    call_command("company", "show", "--json", stdout=shown)
    assert json.loads(shown.getvalue()) == {
        "name": "Loja",
        "country": "PT",
        "time_zone": "Europe/Lisbon",
        "reporting_currency": "EUR",
        "language": "pt",
        "postal_address": "",
        "logo_url": None,
        "set": ["country", "language", "name", "reporting_currency", "time_zone"],
    }


def test_company_show_says_what_comes_from_the_environment(settings: Settings) -> None:
    settings.CLIENTELA_REPORTING_CURRENCY = ""
    out = StringIO()
    call_command("company", "show", stdout=out)
    assert "from the environment" in out.getvalue()
    assert "inferred from the orders" in out.getvalue()


def test_company_set_with_a_wrong_value_fails_naming_it(admin: User) -> None:
    with pytest.raises(CommandError, match="ISO 4217"):
        call_command("company", "set", "--currency", "EUU", stdout=StringIO())
    assert not Company.objects.exists()


def test_company_set_as_a_non_admin_is_refused(viewer: User) -> None:
    with pytest.raises(CommandError, match="only an admin"):
        call_command("company", "set", "--country", "PT", "--as", viewer.email, stdout=StringIO())


@pytest.fixture
def admin_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLIENTELA_ADMIN_EMAIL", "boss@example.com")
    monkeypatch.setenv("CLIENTELA_ADMIN_PASSWORD", "a long enough password 7")


class _Terminal(StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.usefixtures("admin_env")
def test_init_asks_country_and_time_zone_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # A wrong country is asked again; the zone proposed for PT is taken with Enter.
    monkeypatch.setattr("sys.stdin", _Terminal("XX\nPT\n\n"))
    err = StringIO()
    call_command("init", stdout=StringIO(), stderr=err)
    found = company_settings()
    assert (found.country, found.time_zone) == ("PT", "Europe/Lisbon")
    assert "ISO 3166" in err.getvalue()


@pytest.mark.usefixtures("admin_env")
def test_init_without_a_terminal_asks_nothing_and_takes_its_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.stdin", StringIO())  # reading it would find nothing: never asked
    call_command("init", stdout=StringIO())
    assert not Company.objects.exists()
    call_command("init", "--country", "ES", "--time-zone", "Europe/Madrid", stdout=StringIO())
    found = company_settings()
    assert (found.country, found.time_zone) == ("ES", "Europe/Madrid")
