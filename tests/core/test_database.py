"""Writers that collide: a request that cannot get the write lock is a 503 with Retry-After
(never a 500), API and pages alike; a deadlock on PostgreSQL runs the request again."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client
from pytest_django.fixtures import Settings

from clientela.accounts.models import User
from clientela.commerce import api as commerce_api
from clientela.commerce.models import Order
from clientela.core.database import SliceClock, is_busy, is_retryable
from clientela.parties.models import Party
from clientela.web import views as web_views
from tests.api.problems import assert_problem, send
from tests.api.test_orders import ApiClient, order
from tests.factories import make_party

LOCKED = OperationalError("database is locked")


def _locked(*args: Any, **kwargs: Any) -> Any:
    raise LOCKED


@pytest.mark.django_db
def test_an_api_write_that_cannot_get_the_lock_is_a_503_with_retry_after(
    manager: User, api_client: ApiClient, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    settings.CLIENTELA_RETRY_AFTER_SECONDS = 7
    monkeypatch.setattr(commerce_api, "record_order", _locked)
    party = make_party()
    response = send(api_client(manager), "POST", "/api/v1/orders", order(party))
    problem = assert_problem(response, 503)
    assert problem["code"] == "database_busy"
    assert "7" in problem["detail"]
    assert response["Retry-After"] == "7"


@pytest.mark.django_db
def test_an_api_write_that_cannot_get_the_lock_is_a_503_with_debug_on_too(
    manager: User, api_client: ApiClient, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    settings.DEBUG = True  # ninja would answer a traceback as a 500
    monkeypatch.setattr(commerce_api, "record_order", _locked)
    response = send(api_client(manager), "POST", "/api/v1/orders", order(make_party()))
    assert_problem(response, 503)


@pytest.mark.django_db
def test_a_page_that_cannot_get_the_lock_is_a_503_page_with_retry_after(
    manager: User, web_client: Callable[[User], Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web_views, "dashboard", _locked)
    response = web_client(manager).get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    assert b"try again in 5 seconds" in response.content


@pytest.mark.django_db
def test_other_database_errors_stay_errors(
    manager: User, api_client: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("no such table: commerce_order")

    monkeypatch.setattr(commerce_api, "record_order", broken)
    with pytest.raises(OperationalError, match="no such table"):
        send(api_client(manager), "POST", "/api/v1/orders", order(make_party()))


def test_busy_and_retryable_errors_are_told_apart() -> None:
    assert is_busy(OperationalError("database is locked"))
    assert is_busy(OperationalError("database table is locked: commerce_order"))
    assert not is_busy(OperationalError("no such table: x"))
    assert not is_retryable(OperationalError("database is locked"))  # SQLite already waited

    class Deadlock(Exception):
        sqlstate = "40P01"

    wrapped = OperationalError("deadlock detected")
    wrapped.__cause__ = Deadlock()
    assert is_retryable(wrapped)
    assert not is_busy(wrapped)


def test_slices_grow_gently_and_shrink_at_once(settings: Settings) -> None:
    settings.CLIENTELA_WRITE_SLICE_SECONDS = 0.5
    clock = SliceClock(1000, least=10, most=50_000)
    clock.took(1000, 0.05)  # ten times faster than wanted: only doubles
    assert clock.size() == 2000
    clock.took(2000, 2.0)  # four times slower: a quarter at once
    assert clock.size() == 500
    clock.took(500, 100.0)
    assert clock.size() == 10


@pytest.mark.django_db(transaction=True)
def test_a_deadlock_on_postgresql_runs_the_request_again(
    manager: User, api_client: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("deadlocks are PostgreSQL's; SQLite has one writer at a time")
    first, second = make_party(), make_party()
    real = commerce_api.record_order  # type: ignore[attr-defined]  # the name the view calls
    meet = threading.Barrier(2, timeout=10)
    calls: list[str] = []

    def lock_two_parties(payload: Any, *, by: User) -> Any:
        """Each request locks both parties, in opposite orders, meeting in between: one of
        the two transactions is chosen by PostgreSQL to fail with a deadlock."""
        calls.append(payload.external_id)
        ids = [first.pk, second.pk] if payload.external_id == "A" else [second.pk, first.pk]
        list(Party.objects.select_for_update().filter(pk=ids[0]))
        if calls.count(payload.external_id) == 1:  # only the first attempt meets the other
            meet.wait()
        list(Party.objects.select_for_update().filter(pk=ids[1]))
        return real(payload, by=by)

    monkeypatch.setattr(commerce_api, "record_order", lock_two_parties)
    answers: dict[str, int] = {}

    def send_order(external_id: str) -> None:
        client = api_client(manager)
        response = send(client, "POST", "/api/v1/orders", order(first, external_id))
        answers[external_id] = response.status_code
        connection.close()

    with transaction.atomic():  # tokens committed before the threads use them
        pass
    workers = [threading.Thread(target=send_order, args=(ext,)) for ext in ("A", "B")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
    assert answers == {"A": 201, "B": 201}
    assert len(calls) == 3  # one of the two ran again after its deadlock
    assert set(Order.objects.values_list("external_id", flat=True)) == {"A", "B"}


def test_the_problem_body_is_json(settings: Settings) -> None:
    from django.test import RequestFactory

    from clientela.core.database import busy
    from clientela.core.middleware import unavailable_response

    response = unavailable_response(RequestFactory().get("/api/v1/orders"), busy())
    assert json.loads(response.content)["status"] == 503


def test_a_long_write_lets_the_writers_waiting_at_the_turnstile_go_first(tmp_path: Any) -> None:
    from clientela.core.database import Turnstile

    database = str(tmp_path / "db.sqlite3")
    waiter, long_write = Turnstile(database), Turnstile(database)
    assert long_write.let_waiting_writers_in(1.0) < 0.1  # nobody waits: no delay
    released, queued = threading.Event(), threading.Event()

    def wait_for_the_lock() -> None:
        with waiter.waiting():
            queued.set()
            released.wait(5)  # waiting for the write lock, until it gets it

    thread = threading.Thread(target=wait_for_the_lock)
    thread.start()
    try:
        assert queued.wait(5)
        assert long_write.let_waiting_writers_in(0.2) >= 0.2  # it waits, up to its limit
        threading.Timer(0.1, released.set).start()
        assert long_write.let_waiting_writers_in(5.0) < 2  # until the waiter had its turn
    finally:
        released.set()
        thread.join()
        waiter.close()
        long_write.close()
    assert oct(os.stat(database + "-turnstile").st_mode & 0o777) == "0o600"


@pytest.mark.django_db(transaction=True)
def test_a_bulk_whose_body_was_streamed_is_not_run_again_after_a_deadlock(
    manager: User, api_client: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clientela.commerce.services import batches

    class Deadlock(Exception):
        sqlstate = "40P01"

    calls: list[int] = []

    def deadlocked(*args: Any) -> None:
        calls.append(1)
        error = OperationalError("deadlock detected")
        raise error from Deadlock()

    monkeypatch.setattr(batches, "_write_all", deadlocked)
    party = make_party()
    client = api_client(manager)
    response = client.post(
        "/api/v1/orders/bulk",
        data=json.dumps(order(party)) + "\n",
        content_type="application/x-ndjson",
    )
    problem = assert_problem(response, 503)
    assert problem["code"] == "database_busy"
    assert calls == [1]  # the stream is gone: the client sends it again


def test_the_demo_still_names_the_sqlite_file_it_lives_in() -> None:
    from clientela.demo.services import database_label

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's engine is the one Clientela extends")
    assert not database_label().startswith("PostgreSQL")  # the engine is core/sqlite


@pytest.mark.django_db
def test_a_session_that_cannot_be_saved_on_the_way_out_is_a_503_not_a_500(
    manager: User, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    client = Client(raise_request_exception=False)
    client.force_login(manager)
    settings.SESSION_SAVE_EVERY_REQUEST = True  # the session is written after the view
    monkeypatch.setattr(SessionStore, "save", _locked)
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert b"try again in 5 seconds" in response.content
    api = client.get("/api/v1/orders", HTTP_AUTHORIZATION="Bearer nothing")
    assert api.status_code == 503
    assert json.loads(api.content)["code"] == "database_busy"


def test_the_turnstile_tells_whether_a_writer_waits(tmp_path: Any) -> None:
    from clientela.core.database import Turnstile

    database = str(tmp_path / "db.sqlite3")
    waiter, long_write = Turnstile(database), Turnstile(database)
    try:
        assert not long_write.has_waiting_writers()
        with waiter.waiting():
            assert long_write.has_waiting_writers()
        assert not long_write.has_waiting_writers()
    finally:
        waiter.close()
        long_write.close()


@pytest.mark.django_db(transaction=True)
def test_a_slice_stays_open_between_pieces_and_commits_with_its_journal(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clientela.core.database import Slices

    settings.CLIENTELA_WRITE_SLICE_SECONDS = 60
    journalled: list[bool] = []

    def journal() -> int:
        journalled.append(connection.in_atomic_block)
        return len(journalled)

    slices = Slices(journal)
    with slices.write():
        make_party(external_id="S1")
    with slices.write(), slices.write():  # pieces may nest
        make_party(external_id="S2")
    assert slices.is_open()
    assert slices.committed == []  # not yet: the slice has done little work
    waiting = [True]
    monkeypatch.setattr(Slices, "_others_wait", staticmethod(lambda: waiting[0]))
    with slices.write():
        make_party(external_id="S3")
    assert not slices.is_open()  # a writer waited: the slice ended after the piece
    assert (journalled, slices.committed) == ([True], [1])  # the journal inside the commit
    waiting[0] = False

    def fails_inside() -> None:
        with slices.write():
            make_party(external_id="S4")
            raise RuntimeError("the disk is full")

    with pytest.raises(RuntimeError):
        fails_inside()
    assert not slices.is_open()
    slices.end()  # nothing open: nothing to do
    stored = Party.objects.order_by("external_id").values_list("external_id", flat=True)
    assert list(stored) == ["S1", "S2", "S3"]


@pytest.mark.django_db(transaction=True)
def test_an_idle_slice_ends_when_a_writer_waits(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clientela.core.database import Slices

    settings.CLIENTELA_WRITE_SLICE_SECONDS = 60
    slices = Slices(lambda: None)
    with slices.write():
        make_party(external_id="S1")
    slices.idle()
    assert slices.is_open()
    monkeypatch.setattr(Slices, "_others_wait", staticmethod(lambda: True))
    slices.idle()
    assert not slices.is_open()
    assert Party.objects.filter(external_id="S1").exists()
