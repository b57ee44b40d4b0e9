"""Two connections reading the orders (a helper thread) give exactly what one gives."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from django.db import connection

from clientela.analytics.services import aggregation, order_reading
from tests.factories import aware, make_order, make_party, make_rate

FIELDS = ("party_id", "occasions", "first_day", "last_day", "total", "first_value")

CHECK = """
import django
django.setup()
from datetime import date
from django.core.management import call_command
call_command("migrate", verbosity=0)
from decimal import Decimal
from clientela.analytics.services import aggregation, order_reading
from tests.factories import aware, make_order, make_party, make_rate
make_rate(date(2024, 2, 1), "USD", "1.25")
for n in range(40):
    party = make_party()
    for k in range(n % 5 + 1):
        make_order(party, ordered_at=aware(2024, 1 + k, 1 + n % 27), total=Decimal(f"{n}.{k}5"))
    if n % 7 == 0:  # converted at the day before's rate
        make_order(party, ordered_at=aware(2024, 2, 2), total=Decimal("9.99"), currency="USD")
    if n % 5 == 0:  # left out, and counted: no rate
        make_order(party, ordered_at=aware(2024, 3, 2), total=Decimal("9.99"), currency="GBP")
serial = aggregation.purchase_histories(as_of=date(2025, 1, 1), currency="EUR")
order_reading.PARALLEL_MIN_ORDERS = 1
parallel = aggregation.purchase_histories(as_of=date(2025, 1, 1), currency="EUR")
import numpy as np
for name in ("party_id", "occasions", "first_day", "last_day", "total", "first_value",
             "unconverted_party_id", "unconverted_orders"):
    assert np.array_equal(getattr(serial, name), getattr(parallel, name)), name
assert serial.excluded_orders == parallel.excluded_orders == 8, serial.excluded_orders
assert serial.unconverted == parallel.unconverted
assert serial.total.sum() > 0 and round(float(serial.total.sum()), 2) == round(
    sum(n * (n % 5 + 1) + sum(k * 0.1 + 0.05 for k in range(n % 5 + 1)) for n in range(40))
    + 6 * 7.99, 2), serial.total.sum()
assert (serial.readers, parallel.readers) == (1, 2)
# In a daemonic process (as a task worker's may be), which may not start processes: still two.
import multiprocessing
def in_daemon(answers):
    from django.db import connections
    connections.close_all()  # the parent's connection stays the parent's
    h = aggregation.purchase_histories(as_of=date(2025, 1, 1), currency="EUR")
    answers.put((h.readers, h.party_id.tolist(), h.total.tolist(), h.excluded_orders))
context = multiprocessing.get_context("fork")
answers = context.Queue()
child = context.Process(target=in_daemon, args=(answers,), daemon=True)
child.start()
readers, party_ids, totals, excluded = answers.get(timeout=60)
child.join()
assert readers == 2, readers
assert party_ids == serial.party_id.tolist() and totals == serial.total.tolist()
assert excluded == 8, excluded
print("same", serial.party_id.size)
"""


def test_reading_orders_on_two_connections_gives_the_same_histories(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIENTELA_")}
    env |= {
        "CLIENTELA_HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "clientela.settings",
        # This checkout's code first, whichever checkout the environment was installed from.
        "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)]),
    }
    done = subprocess.run(  # noqa: S603  (our own interpreter)
        [sys.executable, "-c", CHECK],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["same", "40"]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite: the file database above; tests use :memory:"
)
@pytest.mark.django_db(transaction=True)  # the second connection reads what is committed
def test_two_postgresql_connections_read_the_same_histories_as_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_rate(date(2024, 2, 1), "USD", "1.25")
    for n in range(30):
        party = make_party()
        for k in range(n % 4 + 1):
            make_order(party, ordered_at=aware(2024, 1 + k, 1 + n % 27), total=Decimal(f"{n}.{k}5"))
        if n % 6 == 0:  # converted at the day before's rate
            make_order(party, ordered_at=aware(2024, 2, 2), total=Decimal("9.99"), currency="USD")
        if n % 5 == 0:  # left out, and counted: no rate
            make_order(party, ordered_at=aware(2024, 3, 2), total=Decimal("9.99"), currency="GBP")
    serial = aggregation.purchase_histories(as_of=date(2025, 1, 1), currency="EUR")
    monkeypatch.setattr(order_reading, "PARALLEL_MIN_ORDERS", 1)
    parallel = aggregation.purchase_histories(as_of=date(2025, 1, 1), currency="EUR")
    assert (serial.readers, parallel.readers) == (1, 2)
    for name in (*FIELDS, "unconverted_party_id", "unconverted_orders"):
        assert np.array_equal(getattr(serial, name), getattr(parallel, name)), name
    assert serial.excluded_orders == parallel.excluded_orders == 6
    assert serial.unconverted == parallel.unconverted
    assert serial.party_id.size == 30
    until = connection.ops.adapt_datetimefield_value(aggregation.end_of(date(2025, 1, 1)))
    by_sql = aggregation._histories_in_sql(until, "EUR", ["EUR"])  # read through COPY
    for name in FIELDS:
        assert np.array_equal(getattr(serial, name), getattr(by_sql, name)), name
    assert by_sql.excluded_orders == 6
