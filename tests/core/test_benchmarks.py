"""The benchmark scripts run for anyone: each answers --help, a missing peer says how to get
it, and a tiny analytics refresh prints its JSON (the figures themselves: docs/benchmarks.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted(p for p in (ROOT / "benchmarks").glob("*.py") if not p.name.startswith("_"))


def _run(args: list[str], tmp_path: Path, timeout: int = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLIENTELA_")}
    env |= {
        "CLIENTELA_HOME": str(tmp_path / "home"),
        # This checkout's code first, whichever checkout the environment was installed from.
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "benchmarks")]),
    }
    return subprocess.run(  # noqa: S603  (our own interpreter and scripts)
        [sys.executable, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_there_are_benchmarks_to_run() -> None:
    assert {"analytics_refresh.py", "clv_fit.py", "import_orders.py"} <= {p.name for p in SCRIPTS}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_each_benchmark_answers_help(script: Path, tmp_path: Path) -> None:
    done = _run([str(script), "--help"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage:")


def test_a_missing_peer_stops_the_benchmark_with_the_way_to_get_it(tmp_path: Path) -> None:
    script = ROOT / "benchmarks" / "analytics_refresh.py"
    missing = tmp_path / "no-such-venv" / "bin" / "python"
    args = ["--duckdb-python", str(missing), "--workdir", str(tmp_path)]
    done = _run([str(script), *args], tmp_path)
    assert done.returncode == 2
    assert "the duckdb peer is missing" in done.stderr
    assert "make bench-peers" in done.stderr
    assert not done.stdout


def test_a_quick_refresh_benchmark_prints_its_figures_as_json(tmp_path: Path) -> None:
    script = ROOT / "benchmarks" / "analytics_refresh.py"
    args = ["--customers", "300", "--orders", "3000", "--workdir", str(tmp_path)]
    done = _run([str(script), *args, "--without-duckdb"], tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    result = json.loads(lines[0])
    assert (result["customers"], result["orders"], result["database"]) == (300, 3000, "sqlite")
    assert result["refresh_steps"]["order_readers"] == 1  # 3,000 orders: one reader is enough
    assert 0 < result["refresh_seconds"] < 120
    assert 250 < result["bgnbd"]["n_customers"] <= 300
    assert result["duckdb_aggregation_seconds"] is None


def test_the_runner_reads_a_scripts_json_even_after_other_lines() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from _run import last_json  # benchmarks/_run.py, a script's module
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    assert last_json('{\n  "a": 1\n}\n') == {"a": 1}
    assert last_json('progress\n{"b": 2}\n') == {"b": 2}
    assert last_json("nothing here") is None
