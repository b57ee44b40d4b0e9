"""Time the CLV pipeline of clientela.analytics.clv against lifetimes 0.11.3 on synthetic data.

    .venv/bin/python benchmarks/clv_fit.py                       # quick: 100,000, one round
    .venv/bin/python benchmarks/clv_fit.py --sizes 100000 1000000 --repeat 3   # the big one

lifetimes runs under .bench/lifetimes/bin/python (made by `make bench-peers` from
benchmarks/peers/lifetimes.txt), or the interpreter given by --lifetimes-python.

Customers are drawn from the BG/NBD and Gamma-Gamma stories, with ages and recencies in whole
days as real data has them. Each implementation runs in its own process per size, so each
peak RSS (ru_maxrss) is its own; lifetimes lives in another venv and is never installed here.
Each size runs --repeat rounds, the two implementations alternating; times are medians of the
rounds and the ratio of each round is kept. Prints one JSON document.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from _bench import peer_python

TRUE = {"r": 0.25, "alpha": 25.0, "a": 0.8, "b": 2.5, "p": 6.0, "q": 4.0, "v": 15.0}
EXPECTATION_DAYS = 365
CLV_MONTHS, DAYS_PER_MONTH, MONTHLY_DISCOUNT = 12, 30, 0.01
PUBLISHED_CDNOW = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "loglik": -9582.4}
PUBLISHED_CDNOW_SPEND = {"p": 6.25, "q": 3.74, "v": 15.44}


def simulate(n: int, seed: int) -> dict[str, np.ndarray]:
    """Customers acquired over two years; x, t_x, T in days, mean spend in cents."""
    rng = np.random.default_rng(seed)
    age = rng.integers(1, 731, n).astype(np.float64)
    rate = rng.gamma(TRUE["r"], 1.0 / TRUE["alpha"], n)
    dropout = rng.beta(TRUE["a"], TRUE["b"], n)
    arrivals = rng.poisson(rate * age)
    x = np.minimum(arrivals, rng.geometric(dropout))
    t_x = np.where(x > 0, age * rng.beta(np.maximum(x, 1), arrivals - x + 1), 0.0)
    t_x = np.minimum(np.round(t_x), age)
    nu = rng.gamma(TRUE["q"], 1.0 / TRUE["v"], n)
    spend = rng.gamma(TRUE["p"] * np.maximum(x, 1), 1.0 / (nu * np.maximum(x, 1)))
    spend = np.where(x > 0, np.maximum(np.round(spend, 2), 0.01), 0.0)
    return {"x": x.astype(np.float64), "t_x": t_x, "T": age, "m": spend}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Stopwatch:
    def __init__(self) -> None:
        self.times: dict[str, float] = {}

    def run(self, step: str, work: Any) -> Any:
        start = time.perf_counter()
        result = work()
        self.times[step] = round(time.perf_counter() - start, 4)
        return result


def run_clientela(data: dict[str, np.ndarray], out: Path) -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from clientela.analytics import clv

    x, t_x, age, m = data["x"], data["t_x"], data["T"], data["m"]
    watch = Stopwatch()
    rows = watch.run("compress", lambda: clv.compress(x, t_x, age))
    bgnbd = watch.run("bgnbd_fit", lambda: clv.fit_bgnbd(rows.x, rows.t_x, rows.T, rows.weights))
    expected = watch.run(
        "expected_purchases",
        lambda: clv.bgnbd_expected_purchases(bgnbd, EXPECTATION_DAYS, rows.x, rows.t_x, rows.T)[
            rows.inverse
        ],
    )
    alive = watch.run(
        "probability_alive",
        lambda: clv.bgnbd_probability_alive(bgnbd, rows.x, rows.t_x, rows.T)[rows.inverse],
    )
    gg = watch.run("gamma_gamma_fit", lambda: clv.fit_gamma_gamma(x, m))
    value = watch.run(
        "lifetime_value",
        lambda: clv.customer_lifetime_value(
            bgnbd, gg, x, t_x, age, m,
            horizon_periods=CLV_MONTHS * DAYS_PER_MONTH,
            discount_rate_per_period=(1 + MONTHLY_DISCOUNT) ** (1 / DAYS_PER_MONTH) - 1,
            step=DAYS_PER_MONTH,
        ),
    )  # fmt: skip
    np.savez(out, expected=expected, alive=alive, value=value)
    return {
        "times_s": watch.times,
        "total_s": round(sum(watch.times.values()), 4),
        "unique_rows": int(rows.x.size),
        "params": {"r": bgnbd.r, "alpha": bgnbd.alpha, "a": bgnbd.a, "b": bgnbd.b}
        | {"p": gg.p, "q": gg.q, "v": gg.v},
        "bgnbd_loglik": bgnbd.loglik,
        "gamma_gamma_loglik": gg.loglik,
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def run_lifetimes(data: dict[str, np.ndarray], out: Path) -> dict[str, Any]:
    import warnings

    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    warnings.simplefilter("ignore")  # lifetimes and autograd warn under pandas 2+/numpy 2
    frame = pd.DataFrame(data)
    x, t_x, age, m = frame["x"], frame["t_x"], frame["T"], frame["m"]
    repeat = frame[frame["x"] > 0]
    watch = Stopwatch()
    bgf = BetaGeoFitter()
    watch.run("bgnbd_fit", lambda: bgf.fit(x, t_x, age))
    expected = watch.run(
        "expected_purchases",
        lambda: bgf.conditional_expected_number_of_purchases_up_to_time(
            EXPECTATION_DAYS, x, t_x, age
        ),
    )
    alive = watch.run("probability_alive", lambda: bgf.conditional_probability_alive(x, t_x, age))
    ggf = GammaGammaFitter()
    watch.run("gamma_gamma_fit", lambda: ggf.fit(repeat["x"], repeat["m"]))
    value = watch.run(
        "lifetime_value",
        lambda: ggf.customer_lifetime_value(
            bgf, x, t_x, age, m, time=CLV_MONTHS, discount_rate=MONTHLY_DISCOUNT, freq="D"
        ),
    )
    arrays = {name: np.asarray(a, dtype=np.float64) for name, a in
              [("expected", expected), ("alive", alive), ("value", value)]}  # fmt: skip
    np.savez(out, expected=arrays["expected"], alive=arrays["alive"], value=arrays["value"])
    params = {k: float(v) for k, v in bgf.params_.items()} | {
        k: float(v) for k, v in ggf.params_.items()
    }
    return {
        "times_s": watch.times,
        "total_s": round(sum(watch.times.values()), 4),
        "params": params,
        "nonfinite_predictions": {k: int((~np.isfinite(a)).sum()) for k, a in arrays.items()},
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }


def worker(implementation: str, data_path: Path, out: Path) -> None:
    with np.load(data_path) as stored:
        data = {name: stored[name] for name in stored.files}
    runner = run_clientela if implementation == "clientela" else run_lifetimes
    print(json.dumps(runner(data, out)))


def spawn(python: str, implementation: str, data: Path, out: Path) -> dict[str, Any]:
    done = subprocess.run(
        [python, __file__, "--worker", implementation, "--data", str(data), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-5:]}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def medians(results: list[dict[str, Any]]) -> dict[str, Any]:
    """The last round's outputs with the time of each step and the total as medians of rounds."""
    failed = [r for r in results if "error" in r]
    if failed:
        return failed[0]
    merged = dict(results[-1])
    merged["times_s"] = {
        step: round(float(np.median([r["times_s"][step] for r in results])), 4)
        for step in results[-1]["times_s"]
    }
    merged["total_s"] = round(float(np.median([r["total_s"] for r in results])), 4)
    merged["total_s_per_round"] = [r["total_s"] for r in results]
    merged["peak_rss_mib"] = max(r["peak_rss_mib"] for r in results)
    return merged


def relative(ours: float, theirs: float) -> float:
    return abs(ours - theirs) / abs(theirs)


def compare(data_path: Path, ours: dict[str, Any], theirs: dict[str, Any], tmp: Path) -> Any:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from clientela.analytics import clv

    with np.load(data_path) as stored:
        x, t_x, age, m = (stored[name] for name in ("x", "t_x", "T", "m"))
    mine, other = ours["params"], theirs["params"]
    rows = clv.compress(x, t_x, age)
    theta = [other[k] for k in ("r", "alpha", "a", "b")]
    their_bgnbd_ll = clv.bgnbd_loglik(theta, rows.x, rows.t_x, rows.T, rows.weights)
    repeat = x > 0
    their_gg_ll = clv.gamma_gamma_loglik([other[k] for k in "pqv"], x[repeat], m[repeat])
    predictions = {}
    with np.load(tmp / "clientela.npz") as a, np.load(tmp / "lifetimes.npz") as b:
        for name in ("expected", "alive", "value"):
            both = np.isfinite(b[name])
            gap = np.abs(a[name][both] - b[name][both]) / np.maximum(np.abs(b[name][both]), 1e-12)
            predictions[name] = {"median": float(np.median(gap)), "max": float(gap.max())}
    return {
        "speedup_total": round(theirs["total_s"] / ours["total_s"], 1),
        "speedup_total_per_round": [
            round(t / o, 1)
            for o, t in zip(ours["total_s_per_round"], theirs["total_s_per_round"], strict=True)
        ],
        "speedup_per_step": {
            step: round(theirs["times_s"][step] / max(ours["times_s"][step], 1e-6), 1)
            for step in theirs["times_s"]
        },
        "param_relative_difference": {k: relative(mine[k], other[k]) for k in mine},
        "loglik_at_lifetimes_params": {"bgnbd": their_bgnbd_ll, "gamma_gamma": their_gg_ll},
        "loglik_relative_difference": {
            "bgnbd": relative(ours["bgnbd_loglik"], their_bgnbd_ll),
            "gamma_gamma": relative(ours["gamma_gamma_loglik"], their_gg_ll),
        },
        "prediction_relative_difference": predictions,
    }


def lifetimes_status(python: str | None) -> tuple[bool, str]:
    if python is None:
        return False, "no --lifetimes-python given"
    probe = subprocess.run(
        [python, "-c", "import lifetimes, os; print(os.path.dirname(lifetimes.__file__))"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        return False, probe.stderr.strip().splitlines()[-1]
    return True, probe.stdout.strip()


def cdnow_check(lifetimes_dir: str) -> dict[str, Any]:
    """Refit the CDNOW sample that lifetimes ships and set it beside the published estimates."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from clientela.analytics import clv

    folder = Path(lifetimes_dir) / "datasets"
    summary = np.genfromtxt(folder / "cdnow_customers_summary.csv", delimiter=",", names=True)
    fit = clv.fit_bgnbd(summary["frequency"], summary["recency"], summary["T"])
    spend = np.genfromtxt(
        folder / "cdnow_customers_summary_with_transactions.csv", delimiter=",", names=True
    )
    gg = clv.fit_gamma_gamma(spend["x"], spend["zbar"])
    return {
        "customers": int(summary.size),
        "bgnbd": {"r": fit.r, "alpha": fit.alpha, "a": fit.a, "b": fit.b, "loglik": fit.loglik},
        "bgnbd_published": PUBLISHED_CDNOW,
        "gamma_gamma": {"p": gg.p, "q": gg.q, "v": gg.v},
        "gamma_gamma_published": PUBLISHED_CDNOW_SPEND,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument(
        "--lifetimes-python", help="default: .bench/lifetimes/bin/python (make bench-peers)"
    )
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=1, help="rounds per size; medians reported")
    parser.add_argument("--worker", choices=["clientela", "lifetimes"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.data, args.out)
        return

    args.lifetimes_python = peer_python("lifetimes", args.lifetimes_python)
    has_lifetimes, lifetimes_note = lifetimes_status(args.lifetimes_python)
    if not has_lifetimes:
        raise SystemExit(f"clv_fit.py: lifetimes does not import: {lifetimes_note}")
    report: dict[str, Any] = {
        "true_params": TRUE,
        "clv": {"months": CLV_MONTHS, "days_per_month": DAYS_PER_MONTH,
                "monthly_discount": MONTHLY_DISCOUNT},
        "expected_purchases_horizon_days": EXPECTATION_DAYS,
        "lifetimes": "lifetimes==0.11.3 at " + lifetimes_note if has_lifetimes else lifetimes_note,
        "runs": [],
    }  # fmt: skip
    if has_lifetimes:
        report["cdnow_check"] = cdnow_check(lifetimes_note)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for size in args.sizes:
            data_path = tmp / f"customers-{size}.npz"
            customers = simulate(size, args.seed)
            np.savez(data_path, x=customers["x"], t_x=customers["t_x"], T=customers["T"],
                     m=customers["m"])  # fmt: skip
            run: dict[str, Any] = {"customers": size, "repeats": args.repeat}
            rounds: dict[str, list[dict[str, Any]]] = {"clientela": [], "lifetimes": []}
            loads = []
            # Alternate the two in every round so that both see the same load on a shared box.
            for _ in range(args.repeat):
                loads.append(round(os.getloadavg()[0], 1))
                rounds["clientela"].append(
                    spawn(sys.executable, "clientela", data_path, tmp / "clientela.npz")
                )
                if has_lifetimes:
                    rounds["lifetimes"].append(
                        spawn(args.lifetimes_python, "lifetimes", data_path, tmp / "lifetimes.npz")
                    )
            run["load_average_1min_per_round"] = loads
            run["clientela"] = medians(rounds["clientela"])
            if has_lifetimes:
                run["lifetimes"] = medians(rounds["lifetimes"])
                if "error" not in run["clientela"] and "error" not in run["lifetimes"]:
                    run["comparison"] = compare(data_path, run["clientela"], run["lifetimes"], tmp)
            report["runs"].append(run)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
