"""The demo company's admin uploads a 3 MiB order file on the web import page, watches it run to
the end in the background worker that `clientela serve` started, and the customer's page shows
metrics that include the new orders, with no refresh run by anyone.

Everything is real: `clientela demo --no-serve` builds the company in a private SQLite database,
`clientela serve` serves it (with its worker), and Debian's Chromium drives the pages.
"""

from __future__ import annotations

import random
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from tests.api.test_concurrent_writes import ROOT, _harness

pytestmark = [pytest.mark.browser, pytest.mark.concurrency]
SIZE = 3 * 2**20  # over the 2 MiB that web imports run inline


def _demo(home: Path, env: dict[str, str]) -> tuple[str, str]:
    """Build the demo company; its admin's e-mail and the demo password."""
    out = subprocess.run(
        [sys.executable, "-m", "django", "demo", "--no-serve", "--customers", "60", "--seed", "7"],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    admin = re.search(r"^\s+(\S+@\S+)\s+admin$", out, re.MULTILINE)
    password = re.search(r"Password for every demo user: (\S+)", out)
    assert admin is not None, out
    assert password is not None, out
    return admin.group(1), password.group(1)


TODAY_TEXT = re.compile(r"^0 days since the last purchase")


def _orders_file(path: Path, database: Path) -> tuple[int, int]:
    """3 MiB of orders over the last year for the demo's customers, and one today for the
    customer watched; returns that customer's id and its purchase occasions before."""
    today = datetime.now(UTC).date()
    with sqlite3.connect(database) as db:
        customers = db.execute(
            "SELECT party_id, occasions, recency_days FROM analytics_customermetrics "
            "WHERE occasions > 0 ORDER BY party_id"
        ).fetchall()
    # The demo's history runs up to the moment it is built: watch a customer whose last
    # purchase was not on the day the metrics were computed.
    watched, occasions = next((pk, n) for pk, n, days in customers if days)
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as out:
        out.write("external_id,party_id,ordered_at,total,currency,status,channel\n")
        out.write(f"UP-TODAY,{watched},{today}T00:30:00Z,120.00,EUR,completed,web\n")
        n = 0
        while out.tell() < SIZE:
            n += 1
            day = today - timedelta(days=rng.randrange(2, 365))
            party = rng.choice(customers)[0]
            out.write(f"UP-{n:07d},{party},{day}T10:00:00Z,{rng.randrange(500, 9000) / 100:.2f},")
            out.write("EUR,completed,web\n")
    return watched, occasions


def test_an_uploaded_order_file_finishes_in_the_background_and_the_customer_page_is_fresh(
    page: Page, tmp_path: Path
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the demo is served from its own SQLite database here")
    harness = _harness()
    home = tmp_path / "home"
    env = harness.environment(home)
    admin, password = _demo(home, env)
    upload = tmp_path / "orders.csv"
    watched, occasions = _orders_file(upload, home / "clientela.sqlite3")
    assert upload.stat().st_size > SIZE
    port = harness.free_port()
    server = harness.serve(env, port, 1, 4)
    base = f"http://127.0.0.1:{port}"
    try:
        page.goto(f"{base}/sign-in/")
        page.get_by_label("E-mail").fill(admin)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()

        # Before: the customer's last purchase is not today.
        page.goto(f"{base}/parties/{watched}/?tab=value")
        panel = page.locator("#party-metrics")
        expect(panel).to_be_visible()
        # (Anchored: "10 days since the last purchase" holds "0 days since the last purchase".)
        expect(panel.get_by_text(TODAY_TEXT)).to_have_count(0)

        # Upload the file: over 2 MiB, it runs in the background worker, with progress.
        page.goto(f"{base}/imports/")
        page.get_by_label("The file holds").select_option("orders")
        page.get_by_label("File", exact=True).set_input_files(upload)
        page.get_by_role("button", name="Upload and check").click()
        expect(page.locator("#map-1")).to_have_value("party_id")
        page.get_by_role("button", name="Import", exact=True).click()
        progress = page.locator("#progress")
        expect(progress.locator("progress")).to_be_visible()
        expect(progress.get_by_role("heading", name="Imported")).to_be_visible(timeout=180_000)
        created = progress.locator("dd").nth(1)
        expect(created).not_to_have_text("0")

        # After: the customer's metrics count the new orders; nobody ran a refresh.
        page.goto(f"{base}/parties/{watched}/?tab=value")
        expect(panel.get_by_text(TODAY_TEXT)).to_be_visible(timeout=30_000)
        shown = panel.get_by_text(re.compile(r"\d+ purchase occasions")).inner_text()
        assert int(shown.split()[0].replace(",", "")) > occasions
    finally:
        server.terminate()
        server.wait(30)
    with sqlite3.connect(home / "clientela.sqlite3") as db:
        runs = db.execute("SELECT COUNT(*) FROM analytics_refreshrun").fetchone()[0]
    assert runs == len(_demo_refreshes())  # the demo's own refreshes, and no other


def _demo_refreshes() -> list[object]:
    from clientela.demo.services import refresh_days

    return list(refresh_days(datetime.now(UTC).date()))
