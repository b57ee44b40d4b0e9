"""Writers never starve each other: API clients keep writing and reading while an import runs.

The small version of benchmarks/concurrent_writes.py (which runs 1,000,000 rows and 8 clients):
a real server (`clientela serve`) on a private SQLite database, `clientela import orders` of
100,000 rows, and 4 API clients writing orders (one at a time and as NDJSON) and reading, for
the whole import. No answer is a 5xx, every acknowledged write is stored afterwards, and the
writes' p99 stays under the goal's 2 s (the import publishes its rows in slices of about half
a second, core.database; in one transaction it held the lock for all of them).
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import sqlite3
import sys
import urllib.parse
from pathlib import Path
from types import ModuleType

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "concurrent_writes", ROOT / "benchmarks" / "concurrent_writes.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.concurrency
def test_api_clients_get_no_5xx_and_keep_their_writes_during_a_large_import(
    tmp_path: Path,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's one writer at a time is what this measures")
    report = _harness().run(rows=100_000, clients=4, customers=5_000, home=tmp_path)
    shown = json.dumps(report, indent=1)
    assert report["import"]["exit_code"] == 0, shown
    assert report["import"]["status"] == "done", shown
    assert report["import"]["imported"] == 100_000, shown
    assert report["requests"] > 20, shown  # the clients worked the whole time
    assert report["five_xx"] == 0, shown
    assert report["acknowledged"] > 0, shown
    assert report["acknowledged_present"] == report["acknowledged"], shown
    assert report["writes"]["p99_s"] <= report["writes"]["goal_p99_s"], shown
    assert max(report["import"]["slices_seconds"]) < 2, shown


@pytest.mark.concurrency
def test_api_clients_get_no_5xx_and_keep_their_writes_during_an_interaction_import(
    tmp_path: Path,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's one writer at a time is what this measures")
    report = _harness().run(
        rows=100_000, clients=4, customers=5_000, home=tmp_path, kind="interactions"
    )
    shown = json.dumps(report, indent=1)
    assert report["import"]["exit_code"] == 0, shown
    assert report["import"]["status"] == "done", shown
    assert report["import"]["imported"] == 100_000, shown
    assert report["five_xx"] == 0, shown
    assert report["acknowledged"] > 0, shown
    assert report["acknowledged_present"] == report["acknowledged"], shown
    assert report["writes"]["p99_s"] <= report["writes"]["goal_p99_s"], shown
    assert report["import"]["slices_seconds"], shown
    assert max(report["import"]["slices_seconds"]) < 2, shown


@pytest.mark.concurrency
def test_api_clients_are_not_kept_waiting_by_a_parties_import_with_consent_columns(
    tmp_path: Path,
) -> None:
    """Its parties are published in slices and its withdrawals recorded in chunks, each its
    own transaction: no writer waits for the whole file (issue 20)."""
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's one writer at a time is what this measures")
    report = _harness().run(rows=5_000, clients=4, customers=2_000, home=tmp_path, kind="parties")
    shown = json.dumps(report, indent=1)
    assert report["import"]["exit_code"] == 0, shown
    assert report["import"]["status"] == "done", shown
    assert report["import"]["imported"] == 5_000, shown
    # every other row says no to the newsletter (5 channels); every tenth, one of those,
    # objects to all direct marketing (21 records, 5 of them the same)
    assert report["import"]["consent_records"] == 2_500 * 5 + 500 * (21 - 5), shown
    assert report["five_xx"] == 0, shown
    assert report["acknowledged"] > 0, shown
    assert report["acknowledged_present"] == report["acknowledged"], shown
    assert report["writes"]["p99_s"] <= report["writes"]["goal_p99_s"], shown
    assert len(report["import"]["slices_seconds"]) > 3, shown  # parties, journal, consent
    assert max(report["import"]["slices_seconds"]) < 2, shown


@pytest.mark.concurrency
def test_a_request_that_cannot_get_the_write_lock_in_time_is_a_503_for_the_api_and_pages(
    tmp_path: Path,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock is what this holds")
    harness = _harness()
    env, setup = harness.prepare(tmp_path / "home", 10, 1)
    env["CLIENTELA_DB_BUSY_TIMEOUT"] = "0.5"
    port = harness.free_port()
    server = harness.serve(env, port, 1, 2)
    web = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        api = {"Authorization": f"Bearer {setup['tokens'][0]}", "Content-Type": "application/json"}
        body = json.dumps(
            {
                "external_id": "LOCKED-1",
                "party_id": setup["parties"][0],
                "ordered_at": "2024-05-01T10:00:00Z",
                "total": "1.00",
                "currency": "EUR",
            }
        )
        assert _call(web, "GET", "/api/v1/orders", None, api)[0] == 200  # warmed up
        status, headers, _page = _call(web, "GET", "/sign-in/", None, {})
        cookie = headers["Set-Cookie"].split(";")[0]
        token = cookie.split("=", 1)[1]
        form = urllib.parse.urlencode(
            {"email": "client0@example.com", "password": "a long password 1234"}
            | {"csrfmiddlewaretoken": token}
        )
        page = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        holder = sqlite3.connect(tmp_path / "home" / "clientela.sqlite3", isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another writer that does not let go
        try:
            status, headers, answer = _call(web, "POST", "/api/v1/orders", body, api)
            assert status == 503, answer
            assert headers["Content-Type"] == "application/problem+json"
            assert headers["Retry-After"] == "5"
            assert json.loads(answer)["code"] == "database_busy"
            status, headers, answer = _call(web, "POST", "/sign-in/", form, page)
            assert status == 503, answer
            assert headers["Retry-After"] == "5"
            assert b"try again in 5 seconds" in answer
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert _call(web, "POST", "/api/v1/orders", body, api)[0] == 201  # its turn now
        assert _call(web, "POST", "/sign-in/", form, page)[0] == 302
    finally:
        web.close()
        server.terminate()
        server.wait(30)


def _call(
    web: http.client.HTTPConnection,
    method: str,
    path: str,
    body: str | None,
    headers: dict[str, str],
) -> tuple[int, dict[str, str], bytes]:
    web.request(method, path, body=body, headers=headers)
    response = web.getresponse()
    return response.status, dict(response.getheaders()), response.read()
