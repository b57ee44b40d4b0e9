"""Writers never starve each other: API clients keep writing and reading while an import runs.

The small version of benchmarks/concurrent_writes.py (which runs 1,000,000 rows and 8 clients):
a real server (`clientela serve`) on a private SQLite database, `clientela import orders` of
100,000 rows, and 4 API clients writing orders (one at a time and as NDJSON) and reading, for
the whole import. No answer is a 5xx, every acknowledged write is stored afterwards, and the
writes' p99 stays under the goal's 2 s (the import publishes its rows in slices of about half
a second, core.database; in one transaction it held the lock for all of them).
"""

from __future__ import annotations

import importlib.util
import json
import sys
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
