"""`clientela analytics refresh|fit|export-metrics` and `clientela export metrics`."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from clientela.accounts.models import Role
from clientela.analytics.models import CustomerMetrics
from clientela.analytics.services.export import export_metrics
from clientela.analytics.services.summary_file import fit_summary
from clientela.core.errors import Invalid
from tests import factories
from tests.analytics.conftest import AS_OF, Crowd, buy
from tests.factories import make_party


def simulate_summary(path: Path, n: int = 3000, seed: int = 3) -> Path:
    """Customers drawn from the BG/NBD and Gamma-Gamma generative processes (weeks)."""
    rng = np.random.default_rng(seed)
    rows: list[tuple[int, float, float, float]] = []
    for _ in range(n):
        lam, p = rng.gamma(0.5, 1 / 5.0), rng.beta(0.8, 2.5)
        age = rng.uniform(20, 52)
        t, x, last = 0.0, 0, 0.0
        while True:
            t += rng.exponential(1 / lam)
            if t > age:
                break
            x, last = x + 1, t
            if rng.random() < p:
                break
        nu = rng.gamma(6.0, 1 / 15.0)
        spend = rng.gamma(3.0, 1 / nu, size=max(x, 1)).mean() if x else 0.0
        rows.append((x, round(last, 4), round(age, 4), round(spend, 2)))
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["frequency", "recency", "T", "monetary_value"])
        writer.writerows(rows)
    return path


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("analytics", *args, stdout=out)
    return out.getvalue()


def test_fit_prints_both_models_parameters_as_json(tmp_path: Path) -> None:
    result = json.loads(
        run("fit", "--summary", str(simulate_summary(tmp_path / "s.csv")), "--json")
    )
    assert set(result) == {"bgnbd", "gamma_gamma"}
    assert set(result["bgnbd"]) == {"r", "alpha", "a", "b", "loglik"}
    assert set(result["gamma_gamma"]) == {"p", "q", "v", "loglik"}
    assert 0.2 < result["bgnbd"]["r"] < 1.0
    assert result["bgnbd"]["loglik"] < 0


def test_fit_without_monetary_values_fits_bgnbd_only(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "frequency,recency,T\n" + "\n".join(f"{i % 4},{i % 4 * 2},10" for i in range(60))
    )
    result = json.loads(run("fit", "--summary", str(path), "--json"))
    assert result["gamma_gamma"] is None
    assert result["bgnbd"]["r"] > 0


def test_fit_names_a_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("frequency,recency\n1,2\n")
    with pytest.raises(CommandError, match="no column 'T'"):
        run("fit", "--summary", str(path))


def test_fit_names_the_row_and_column_of_a_bad_value(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("frequency,recency,T\n1,2,10\n2,abc,10\n")
    with pytest.raises(CommandError, match=r"line 3: recency: is not a number"):
        run("fit", "--summary", str(path))


def test_fit_refuses_a_recency_beyond_t(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("frequency,recency,T\n1,12,10\n")
    with pytest.raises(CommandError, match=r"line 2: recency: must not be more than T"):
        run("fit", "--summary", str(path))


def test_fit_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"nope\.csv"):
        run("fit", "--summary", str(tmp_path / "nope.csv"))


@pytest.mark.django_db
def test_refresh_with_as_of_prints_what_it_did() -> None:
    party = make_party()
    buy(party, date(2024, 1, 5), date(2025, 1, 5))
    result = json.loads(run("refresh", "--as-of", "2024-06-30", "--json"))
    assert result["as_of"] == "2024-06-30"
    assert result["customers"] == 1
    assert CustomerMetrics.objects.get(party=party).occasions == 1


def test_refresh_refuses_a_bad_date() -> None:
    with pytest.raises(CommandError, match="2024-13-01"):
        run("refresh", "--as-of", "2024-13-01")


@pytest.mark.django_db
def test_export_writes_one_row_per_party(tmp_path: Path, crowd: Crowd) -> None:
    parties = crowd(40)
    make_party(external_id="=HYPERLINK(1)")
    run("refresh", "--as-of", AS_OF.isoformat())
    out = tmp_path / "metrics.csv"
    call_command("analytics", "export-metrics", "--out", str(out), stderr=io.StringIO())
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(parties) + 1
    assert {
        "external_id",
        "recency_days",
        "frequency",
        "monetary",
        "tenure_days",
        "r_score",
        "rfm_segment",
        "lifecycle_state",
        "p_alive",
        "expected_purchases",
        "expected_spend",
        "clv",
        "tier",
    } <= set(rows[0])
    assert any(r["external_id"] == "'=HYPERLINK(1)" for r in rows)
    assert not (tmp_path / "metrics.csv.partial").exists()


@pytest.mark.django_db
def test_export_over_a_longer_horizon_expects_more_purchases(crowd: Crowd) -> None:
    crowd(40)
    run("refresh", "--as-of", AS_OF.isoformat())
    year = {r["party_id"]: r for r in csv.DictReader(io.StringIO(run("export-metrics")))}
    two = {
        r["party_id"]: r
        for r in csv.DictReader(io.StringIO(run("export-metrics", "--horizon-days", "730")))
    }
    assert all(r["horizon_days"] == "730" for r in two.values())
    assert sum(float(r["expected_purchases"]) for r in two.values()) > sum(
        float(r["expected_purchases"]) for r in year.values()
    )


@pytest.mark.django_db
def test_export_as_ndjson() -> None:
    make_party()
    run("refresh")
    lines = run("export-metrics", "--format", "ndjson").splitlines()
    assert json.loads(lines[0])["lifecycle_state"] == "potential"


@pytest.mark.django_db
def test_export_metrics_is_part_of_the_export_command(tmp_path: Path) -> None:
    factories.make_user(role=Role.ADMIN, email="boss@example.com")
    party = factories.make_party(external_id="C-1")
    factories.make_order(party, ordered_at=factories.aware(2025, 1, 5))
    factories.make_order(party, ordered_at=factories.aware(2025, 3, 5))
    call_command("analytics", "refresh", "--as-of", "2025-06-01")
    out = tmp_path / "metrics.csv"
    call_command("export", "metrics", "--horizon-days", "90", "--out", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["external_id"] for r in rows] == ["C-1"]
    assert rows[0]["frequency"] == "1"


@pytest.mark.django_db
def test_an_export_in_an_unknown_format_is_refused_with_a_code() -> None:
    with pytest.raises(Invalid) as caught:
        export_metrics(io.StringIO(), user=None, fmt="xlsx")
    (error,) = caught.value.errors
    assert (error.field, error.code, error.text()) == (
        "format",
        "export_format_unknown",
        "must be “csv” or “ndjson”",
    )


def test_a_bad_summary_row_names_its_line_and_code() -> None:
    with pytest.raises(Invalid) as caught:
        fit_summary(io.StringIO("frequency,recency,T\n1.5,2,10\n"))
    (error,) = caught.value.errors
    assert (error.line, error.field, error.code) == (2, "frequency", "summary_frequency_not_whole")


def test_a_summary_without_repeat_spend_says_so_instead_of_failing_to_fit() -> None:
    rows = "".join(f"{i % 3},{i % 3},10,0\n" for i in range(60))
    with pytest.raises(Invalid) as caught:
        fit_summary(io.StringIO("frequency,recency,T,monetary_value\n" + rows))
    (error,) = caught.value.errors
    assert (error.field, error.code) == ("monetary_value", "summary_no_repeat_spend")


@pytest.mark.django_db
def test_refresh_prints_a_summary_a_person_reads_by_default() -> None:
    party = make_party()
    buy(party, date(2024, 1, 5), date(2024, 3, 5))
    out = io.StringIO()
    call_command("analytics", "refresh", "--as-of", "2024-06-30", stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(
        "Customer metrics as of 2024-06-30: 1 parties, 1 customers with a purchase,"
    )
    assert any(line.startswith("Amounts in ") for line in lines)
    assert any(line.startswith("BG/NBD: ") for line in lines)
    assert not any(line.lstrip().startswith("{") for line in lines)  # no raw JSON


def test_fit_prints_the_parameters_in_words_by_default(tmp_path: Path) -> None:
    text = run("fit", "--summary", str(simulate_summary(tmp_path / "s.csv")))
    bgnbd, gamma_gamma = text.splitlines()
    assert bgnbd.startswith("BG/NBD: r ")
    assert "alpha " in bgnbd
    assert "log-likelihood" in bgnbd
    assert gamma_gamma.startswith("Gamma-Gamma: p ")
