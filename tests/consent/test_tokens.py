"""Preference-centre links: opaque tokens, one answer for every unusable one, rate limits."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from clientela.consent.models import PreferenceToken
from clientela.consent.services import issue_token, preference_centre_url, unsubscribe_headers
from clientela.consent.services.tokens import token_digest
from tests import factories

pytestmark = pytest.mark.django_db


def _centre(token: str) -> str:
    return reverse("consent:preference_centre", args=[token])


def _answer(client: Client, url: str) -> tuple[int, bytes]:
    response = client.get(url)
    return response.status_code, response.content


def test_a_valid_link_opens_the_preference_centre() -> None:
    party = factories.make_party(email="ana@example.com")
    response = Client().get(_centre(issue_token(party, purpose="preferences")))
    assert response.status_code == 200
    assert b"preferences-form" in response.content
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"


def test_altered_truncated_expired_wrong_key_and_foreign_tokens_get_the_same_answer(
    settings: Settings,
) -> None:
    mine = factories.make_party(email="ana@example.com")
    other = factories.make_party(email="rui@example.com")
    good = issue_token(mine, purpose="preferences")
    altered = good[:-1] + ("A" if good[-1] != "A" else "B")
    truncated = good[:20]
    expired = issue_token(mine, purpose="preferences")
    PreferenceToken.objects.filter(digest=token_digest(expired)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    settings.CLIENTELA_CONSENT_KEY = "another installation's key"
    wrong_key = issue_token(mine, purpose="preferences")
    settings.CLIENTELA_CONSENT_KEY = ""
    unsubscribe_only = issue_token(other, purpose="unsubscribe", list_purpose="newsletter")
    client = Client()
    answers = {
        name: _answer(client, _centre(token))
        for name, token in {
            "random": "x" * 43,
            "altered": altered,
            "truncated": truncated,
            "expired": expired,
            "wrong key": wrong_key,
            "other purpose": unsubscribe_only,
        }.items()
    }
    assert {status for status, _body in answers.values()} == {404}
    assert len({body for _status, body in answers.values()}) == 1
    assert _answer(client, _centre(good))[0] == 200


def test_another_persons_token_shows_only_that_person() -> None:
    ana = factories.make_party(email="ana@example.com", given_name="Ana")
    rui = factories.make_party(email="rui@example.com", given_name="Rui")
    response = Client().get(_centre(issue_token(rui, purpose="preferences")))
    assert response.status_code == 200
    assert ana.display_name.encode() not in response.content


def test_tokens_carry_at_least_128_random_bits_and_are_stored_only_hashed() -> None:
    party = factories.make_party(email="ana@example.com")
    raw = issue_token(party, purpose="preferences")
    assert len(raw) >= 43  # 32 bytes = 256 bits of randomness in URL-safe base64
    stored = PreferenceToken.objects.get()
    assert raw not in stored.digest
    assert not PreferenceToken.objects.filter(digest=raw).exists()


def test_no_personal_data_or_sequential_id_appears_in_any_link() -> None:
    party = factories.make_party(
        email="ana.silva@example.com", phone="+351912345678", given_name="Ana", family_name="Silva"
    )
    header = unsubscribe_headers(party, purpose="marketing")["List-Unsubscribe"]
    urls = [preference_centre_url(party), preference_centre_url(party), header.strip("<>")]
    # The only variable part of a link is 43 random URL-safe characters, new each time.
    shape = re.compile(r"^http://localhost:8000/(preferences|unsubscribe)/([A-Za-z0-9_-]{43})/$")
    tokens = []
    for url in urls:
        match = shape.match(url)
        assert match is not None, url
        tokens.append(match.group(2))
        assert "@" not in url
        assert "silva" not in url.lower()
    assert len(set(tokens)) == 3


def test_the_public_pages_are_rate_limited_per_ip(settings: Settings) -> None:
    settings.CLIENTELA_PUBLIC_RATE_LIMIT = 3
    party = factories.make_party(email="ana@example.com")
    url = _centre(issue_token(party, purpose="preferences"))
    client = Client(REMOTE_ADDR="198.51.100.9")
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert Client(REMOTE_ADDR="198.51.100.10").get(url).status_code == 200


def test_an_archived_partys_link_no_longer_works() -> None:
    party = factories.make_party(email="ana@example.com")
    url = _centre(issue_token(party, purpose="preferences"))
    party.archived_at = timezone.now()
    party.save()
    assert Client().get(url).status_code == 404
