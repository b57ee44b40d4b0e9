"""One-click unsubscribe (RFC 8058): headers, POST without cookies, GET changes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from clientela.consent.models import ConsentRecord
from clientela.consent.services import may_contact, unsubscribe_headers
from clientela.parties.models import Party
from tests import factories
from tests.consent.conftest import grant

pytestmark = pytest.mark.django_db


def _url(party: Party, purpose: str = "newsletter") -> str:
    header = unsubscribe_headers(party, purpose=purpose)["List-Unsubscribe"]
    return header.strip("<>").removeprefix("http://localhost:8000")


def test_both_header_values_are_produced(settings: Settings) -> None:
    settings.CLIENTELA_PUBLIC_URL = "https://crm.example.com/"
    headers = unsubscribe_headers(factories.make_party(email="a@example.com"), purpose="marketing")
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    value = headers["List-Unsubscribe"]
    assert value.startswith("<https://crm.example.com/unsubscribe/")
    assert value.endswith("/>")


def test_a_post_without_cookies_or_csrf_token_unsubscribes() -> None:
    party = factories.make_party(email="ana@example.com", roles=("prospect",))
    grant(party, "newsletter")
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        _url(party),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not client.cookies
    decision = may_contact(party, purpose="newsletter", channel="email")
    assert (decision.allowed, decision.reason) == (False, "withdrawn")
    record = ConsentRecord.objects.filter(party=party).first()  # the newest
    assert record is not None
    assert (record.source, record.status) == ("unsubscribe_link", "withdrawn")


def test_unsubscribing_twice_records_one_withdrawal_and_answers_the_same() -> None:
    party = factories.make_party(email="ana@example.com")
    grant(party, "newsletter")
    url = _url(party)
    client = Client(enforce_csrf_checks=True)
    first = client.post(url, data="List-Unsubscribe=One-Click", content_type="text/plain")
    second = client.post(url, data="List-Unsubscribe=One-Click", content_type="text/plain")
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.content == second.content
    assert ConsentRecord.objects.filter(party=party, status="withdrawn").count() == 1


def test_a_get_shows_a_confirmation_and_changes_nothing() -> None:
    party = factories.make_party(email="ana@example.com")
    grant(party, "newsletter")
    url = _url(party)
    response = Client().get(url)
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert ConsentRecord.objects.filter(party=party).count() == 1
    assert may_contact(party, purpose="newsletter", channel="email").allowed


def test_the_link_leaves_only_its_own_list() -> None:
    party = factories.make_party(email="ana@example.com")
    grant(party, "newsletter")
    grant(party, "surveys")
    Client().post(_url(party, "newsletter"))
    assert not may_contact(party, purpose="newsletter", channel="email").allowed
    assert may_contact(party, purpose="surveys", channel="email").allowed


def test_unsubscribing_ends_the_soft_opt_in_of_a_customer() -> None:
    party = factories.make_party(email="ana@example.com", roles=("customer",))
    assert may_contact(party, purpose="marketing", channel="email").reason == "soft_opt_in"
    Client().post(_url(party, "marketing"))
    assert may_contact(party, purpose="marketing", channel="email").reason == "withdrawn"


def test_a_bad_unsubscribe_token_gets_the_invalid_link_answer_on_post_and_get() -> None:
    party = factories.make_party(email="ana@example.com")
    grant(party, "newsletter")
    url = _url(party)
    bad = url[:-3] + "/"
    answers = {Client().post(bad).content, Client().get(bad).content}
    assert len(answers) == 1
    assert Client().post(bad).status_code == 404
    assert may_contact(party, purpose="newsletter", channel="email").allowed


def test_the_api_endpoint_unsubscribes_without_authentication() -> None:
    party = factories.make_party(email="ana@example.com")
    grant(party, "newsletter")
    token = _url(party).strip("/").split("/")[-1]
    response = Client().post(
        "/api/v1/public/unsubscribe", {"token": token}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json() == {"status": "unsubscribed"}
    assert not may_contact(party, purpose="newsletter", channel="email").allowed
    bad = Client().post(
        "/api/v1/public/unsubscribe", {"token": token[:-2]}, content_type="application/json"
    )
    assert bad.status_code == 404
