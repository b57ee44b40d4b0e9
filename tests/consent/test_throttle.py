"""The public pages and endpoints go through the one throttle: per client address (behind a
trusted proxy, the forwarded one), 429 with Retry-After, a problem document on the API."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from clientela.consent.models import ConsentRecord
from clientela.consent.services import issue_token, unsubscribe_headers
from clientela.parties.models import Party
from tests import factories
from tests.api.problems import assert_problem, send
from tests.consent.conftest import Inbox, grant

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.5"
SIGNUPS = "/api/v1/public/signups"
UNSUBSCRIBE = "/api/v1/public/unsubscribe"
WORDING = {"text": "Yes, send me the monthly newsletter by e-mail.", "version": "w1"}


@pytest.fixture
def party() -> Party:
    party = factories.make_party(email="ana@example.com")
    grant(party, "newsletter")
    return party


def _unsubscribe_url(party: Party) -> str:
    header = unsubscribe_headers(party, purpose="newsletter")["List-Unsubscribe"]
    return header.strip("<>").removeprefix("http://localhost:8000")


def _centre(party: Party) -> str:
    return reverse("consent:preference_centre", args=[issue_token(party, purpose="preferences")])


def test_a_throttled_public_page_says_when_to_come_back(party: Party, settings: Settings) -> None:
    settings.CLIENTELA_PUBLIC_RATE_LIMIT = 2
    url = _centre(party)
    client = Client(REMOTE_ADDR="198.51.100.9")
    client.get(url)
    client.post(url, {"action": "leave_all"})

    response = client.get(url)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.CLIENTELA_PUBLIC_RATE_WINDOW
    assert response["Cache-Control"] == "no-store"
    assert "Too many requests" in response.content.decode()


def test_one_click_unsubscribe_posts_are_throttled_per_address(
    party: Party, settings: Settings
) -> None:
    settings.CLIENTELA_PUBLIC_RATE_LIMIT = 2
    url = _unsubscribe_url(party)
    client = Client(REMOTE_ADDR="198.51.100.9")

    statuses = [client.post(url).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert Client(REMOTE_ADDR="198.51.100.10").post(url).status_code == 200


def test_behind_a_trusted_proxy_each_customer_has_their_own_limit(
    party: Party, settings: Settings
) -> None:
    settings.CLIENTELA_PUBLIC_RATE_LIMIT = 2
    settings.CLIENTELA_TRUSTED_PROXIES = [PROXY]
    url = _centre(party)
    flooder = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.66")
    flooded = [flooder.get(url).status_code for _ in range(3)]

    customer = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")

    assert flooded == [200, 200, 429]
    assert customer.get(url).status_code == 200


def test_the_proof_keeps_the_customers_address_not_the_proxys(
    party: Party, settings: Settings
) -> None:
    settings.CLIENTELA_TRUSTED_PROXIES = [PROXY]
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")

    client.post(_unsubscribe_url(party))

    record = ConsentRecord.objects.filter(party=party).latest("pk")
    assert record.ip_address == "203.0.113.5"


def test_the_unsubscribe_endpoint_answers_429_as_a_problem(
    party: Party, settings: Settings
) -> None:
    settings.CLIENTELA_PUBLIC_RATE_LIMIT = 1
    token = _unsubscribe_url(party).strip("/").split("/")[-1]
    client = Client(REMOTE_ADDR="198.51.100.9")
    send(client, "POST", UNSUBSCRIBE, {"token": token})

    response = send(client, "POST", UNSUBSCRIBE, {"token": token})

    problem = assert_problem(response, 429)
    assert problem["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_sign_up_floods_answer_429_as_a_problem(smtp_inbox: Inbox, settings: Settings) -> None:
    settings.CLIENTELA_SIGNUP_PER_IP = 1
    client = Client(REMOTE_ADDR="198.51.100.20")

    send(client, "POST", SIGNUPS, {"email": "p1@example.com", "wording": WORDING})

    response = send(client, "POST", SIGNUPS, {"email": "p2@example.com", "wording": WORDING})

    problem = assert_problem(response, 429)
    assert problem["code"] == "signups_throttled"
    assert response["Retry-After"] == str(settings.CLIENTELA_SIGNUP_WINDOW)
    assert len(smtp_inbox.messages) == 1


def test_the_sign_up_page_says_when_to_come_back(smtp_inbox: Inbox, settings: Settings) -> None:
    settings.CLIENTELA_SIGNUP_PER_IP = 1
    client = Client(REMOTE_ADDR="198.51.100.20")
    form = {"email": "p1@example.com", "name": "P", "agree": "on"}
    client.post(reverse("consent:signup"), form)

    response = client.post(reverse("consent:signup"), {**form, "email": "p2@example.com"})

    assert response.status_code == 429
    assert response["Retry-After"] == str(settings.CLIENTELA_SIGNUP_WINDOW)
