"""Phones in the customer's country: a number without its country code is read in the
phone's own country, else the party's address country, else the company's country."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from clientela.accounts.services import forget_company_settings, update_company
from clientela.core.errors import Problem
from clientela.parties.models import ContactKind, ContactPoint
from clientela.parties.services.identity import normalize_phone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("country", "local", "e164"),
    [
        ("PT", "912 345 678", "+351912345678"),
        ("ES", "612 345 678", "+34612345678"),
        ("IT", "312 345 6789", "+393123456789"),
        ("GB", "07400 123456", "+447400123456"),
        ("BR", "(11) 91234-5678", "+5511912345678"),
    ],
)
def test_local_numbers_read_in_their_country(country: str, local: str, e164: str) -> None:
    assert normalize_phone(local, country) == e164


@pytest.mark.parametrize(
    ("country", "local", "e164"),
    [("PT", "912 345 678", "+351912345678"), ("BR", "(11) 91234-5678", "+5511912345678")],
)
def test_the_company_country_is_the_default_region(
    admin: User, country: str, local: str, e164: str
) -> None:
    update_company(by=admin, country=country)
    assert normalize_phone(local) == e164


def test_without_a_company_country_the_environment_default_applies(settings: Settings) -> None:
    settings.CLIENTELA_DEFAULT_PHONE_REGION = "US"
    with pytest.raises(Problem) as caught:
        normalize_phone("912 345 678")
    assert caught.value.params == {"region": "US"}
    settings.CLIENTELA_DEFAULT_PHONE_REGION = "PT"
    forget_company_settings()  # kept a few seconds in the process
    assert normalize_phone("912 345 678") == "+351912345678"


def _phone_of(party_id: int) -> ContactPoint:
    return ContactPoint.objects.get(party_id=party_id, kind=ContactKind.PHONE)


def test_the_api_reads_a_phone_in_the_party_address_country(
    admin: User, api_client: Callable[[User], Client], settings: Settings
) -> None:
    settings.CLIENTELA_DEFAULT_PHONE_REGION = "US"
    body = {
        "kind": "person",
        "given_name": "Lucía",
        "contact_points": [
            {"kind": "phone", "value": "612 345 678"},
            {"kind": "address", "value": "Calle Mayor 1, Madrid", "country": "ES"},
        ],
    }
    response = api_client(admin).post("/api/v1/parties", body, content_type="application/json")
    assert response.status_code == 201, response.content
    phone = _phone_of(response.json()["id"])
    assert (phone.value, phone.normalized, phone.country) == ("612 345 678", "+34612345678", "ES")


def test_a_phone_own_country_wins_over_the_address_and_the_company(
    admin: User, api_client: Callable[[User], Client]
) -> None:
    update_company(by=admin, country="US")
    body = {
        "kind": "person",
        "given_name": "Giulia",
        "contact_points": [
            {"kind": "phone", "value": "312 345 6789", "country": "IT"},
            {"kind": "address", "value": "Rua Augusta 1, Lisboa", "country": "PT"},
        ],
    }
    response = api_client(admin).post("/api/v1/parties", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert _phone_of(response.json()["id"]).normalized == "+393123456789"


def test_a_local_number_of_another_country_is_refused_naming_the_region(
    admin: User, api_client: Callable[[User], Client]
) -> None:
    update_company(by=admin, country="GB")
    body = {"kind": "person", "given_name": "Ana", "contact_points": [
        {"kind": "phone", "value": "912 345 678"}]}  # fmt: skip
    response = api_client(admin).post("/api/v1/parties", body, content_type="application/json")
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["field"], error["code"], error["params"]) == (
        "contact_points.0.value",
        "phone_invalid",
        {"region": "GB"},
    )


def test_the_party_form_reads_a_phone_in_the_address_country(
    admin: User, web_client: Callable[[User], Client]
) -> None:
    update_company(by=admin, country="US")
    form = {
        "kind": "person",
        "given_name": "Marco",
        "family_name": "Rossi",
        "contact_points-0-kind": "phone",
        "contact_points-0-value": "312 345 6789",
        "contact_points-1-kind": "address",
        "contact_points-1-value": "Via Roma 1, Milano",
        "contact_points-1-country": "IT",
    }
    response = web_client(admin).post("/parties/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ContactPoint.objects.get(kind=ContactKind.PHONE).normalized == "+393123456789"


def test_a_duplicate_written_locally_is_found(
    admin: User, api_client: Callable[[User], Client]
) -> None:
    update_company(by=admin, country="PT")
    client = api_client(admin)
    first = {"kind": "person", "given_name": "A", "contact_points": [
        {"kind": "phone", "value": "+351 912 345 678"}]}  # fmt: skip
    assert client.post("/api/v1/parties", first, content_type="application/json").status_code == 201
    again = {"kind": "person", "given_name": "B", "contact_points": [
        {"kind": "phone", "value": "912345678"}]}  # fmt: skip
    response = client.post("/api/v1/parties", again, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "contact_in_use"
