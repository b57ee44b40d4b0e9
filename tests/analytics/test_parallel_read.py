"""The two-process read of orders gives exactly what the one-process read gives."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CHECK = """
import django
django.setup()
from datetime import date
from django.core.management import call_command
call_command("migrate", verbosity=0)
from decimal import Decimal
from clientela.analytics.services import aggregation
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
aggregation.PARALLEL_MIN_ORDERS = 1
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
print("same", serial.party_id.size)
"""


def test_reading_orders_in_two_processes_gives_the_same_histories(tmp_path: Path) -> None:
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
