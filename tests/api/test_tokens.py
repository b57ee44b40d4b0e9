"""API tokens at the door: bad ones are throttled per client address; checking a good one never
writes, and its use is recorded after the answer, at most once a minute."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from clientela.accounts.services import create_token
from tests.api.problems import assert_problem

URL = "/api/v1/parties"
PROXY = "10.0.0.5"
pytestmark = pytest.mark.django_db


def _bearer(raw: str, **extra: Any) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", **extra)


# Bad tokens


def test_repeated_bad_tokens_are_throttled_with_a_problem_and_retry_after(
    settings: Settings,
) -> None:
    settings.CLIENTELA_TOKEN_MAX_FAILURES = 3
    guesser = _bearer("cl_guessed", REMOTE_ADDR="198.51.100.66")
    for _ in range(3):
        assert_problem(guesser.get(URL), 401)

    response = guesser.get(URL)

    body = assert_problem(response, 429)
    assert body["code"] == "throttled"
    assert body["title"] == "Too many requests"
    assert 0 < int(response["Retry-After"]) <= settings.CLIENTELA_SIGNIN_WINDOW_SECONDS
    assert f"try again in {response['Retry-After']} seconds" in body["detail"]
    other = _bearer("cl_guessed", REMOTE_ADDR="198.51.100.67")
    assert_problem(other.get(URL), 401)


def test_a_good_token_works_from_an_address_that_sent_bad_ones(
    sales_a: User, settings: Settings
) -> None:
    settings.CLIENTELA_TOKEN_MAX_FAILURES = 1
    _token, raw = create_token(sales_a)
    for _ in range(2):
        _bearer("not-even-a-token", REMOTE_ADDR="198.51.100.66").get(URL)

    assert _bearer(raw, REMOTE_ADDR="198.51.100.66").get(URL).status_code == 200


def test_behind_a_trusted_proxy_bad_tokens_count_per_client(settings: Settings) -> None:
    settings.CLIENTELA_TOKEN_MAX_FAILURES = 2
    settings.CLIENTELA_TRUSTED_PROXIES = [PROXY]
    guesser = _bearer("cl_guessed", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.66")
    statuses = [guesser.get(URL).status_code for _ in range(3)]

    other = _bearer("cl_guessed", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")

    assert statuses == [401, 401, 429]
    assert other.get(URL).status_code == 401


# Recording a token's use


def _token_updates(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and "accounts_apitoken" in q["sql"]
    ]


@pytest.mark.django_db(transaction=True)  # as served: no transaction around the request
def test_a_get_answers_while_the_database_refuses_every_write(
    sales_a: User, caplog: pytest.LogCaptureFixture
) -> None:
    """The audit: GETs failed during a long write, because the token check wrote."""
    token, raw = create_token(sales_a)

    def busy(execute: Callable[..., Any], sql: str, *args: Any) -> Any:
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise OperationalError("database is locked")
        return execute(sql, *args)

    with caplog.at_level(logging.WARNING), connection.execute_wrapper(busy):
        response = _bearer(raw).get(URL)

    token.refresh_from_db()
    assert response.status_code == 200
    assert token.last_used_at is None
    (record,) = [r for r in caplog.records if r.name.startswith("clientela.accounts")]
    assert record.getMessage() == (
        f"API token {token.pk}: its use was not recorded (database is locked)"
    )
    assert record.exc_info is None


def test_a_tokens_use_is_recorded_after_the_answer_at_most_once_a_minute(
    sales_a: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, raw = create_token(sales_a)
    client = _bearer(raw)
    client.get(URL)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    with CaptureQueriesContext(connection) as again:
        client.get(URL)
    later = first + timedelta(seconds=61)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with CaptureQueriesContext(connection) as a_minute_later:
        client.get(URL)

    token.refresh_from_db()
    assert _token_updates(again) == []
    assert len(_token_updates(a_minute_later)) == 1
    assert token.last_used_at == later


def test_checking_a_token_only_reads(sales_a: User) -> None:
    from clientela.accounts.services import record_token_uses, user_for_token

    token, raw = create_token(sales_a)
    with CaptureQueriesContext(connection) as checked:
        user = user_for_token(raw)
    with CaptureQueriesContext(connection) as recorded:
        written = record_token_uses()

    token.refresh_from_db()
    assert user == sales_a
    assert [q["sql"].split()[0] for q in checked.captured_queries] == ["SELECT"]
    assert len(_token_updates(recorded)) == written == 1
    assert isinstance(token.last_used_at, datetime)


def test_a_use_noted_outside_a_request_is_not_written_by_another_request(
    sales_a: User,
) -> None:
    from clientela.accounts.services import user_for_token

    token, raw = create_token(sales_a)
    user_for_token(raw)  # noted, but no answer of this thread's carries it

    Client().get("/sign-in/")

    token.refresh_from_db()
    assert token.last_used_at is None
