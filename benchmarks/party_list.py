"""Party list benchmark (SQLite): how long the list's first page takes for each sort.

Loads 100,000 parties into a private SQLite database (every party has its metrics row, a fifth
of them an interaction), then measures in-process, after a warm-up, the first page of the
list for a manager (who sees every party) sorted by each sortable column, both ways:
segments.services.listing.list_parties, the page's count and its 50 rows presented, as the
page runs them. Sorting by name is the baseline: each other sort is also given as a ratio to
it. One more figure: GET /parties/?sort=-clv&cols=…,clv through Django's test client.

Prints one JSON document: sizes, load seconds, p50/p90 (ms) wall and CPU for each sort, the
ratios, the page's p50, and the load average. Goal: every sort's first page p90 <= 500 ms CPU.

    .venv/bin/python benchmarks/party_list.py [--parties 100000] [--runs 15]
    .venv/bin/python benchmarks/party_list.py --home /tmp/bpl --keep   # load once, keep
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SORTS = ("name", "created", "last_interaction", "clv", "p_alive", "lifecycle", "tier", "last_order")
GOAL_P90_CPU_MS = 500.0


def _setup(home: Path) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["CLIENTELA_HOME"] = str(home)
    os.environ.pop("CLIENTELA_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _load(rng: random.Random, parties: int) -> Any:
    from django.db import transaction
    from django.utils import timezone

    from clientela.accounts.models import Role, User
    from clientela.analytics.models import CustomerMetrics
    from clientela.interactions.models import Interaction
    from clientela.parties.models import Party

    found = User.objects.filter(email="manager@bench.example").first()
    if found is not None:
        return found
    now = timezone.now()
    today = now.date()
    with transaction.atomic():
        manager = User.objects.create(email="manager@bench.example", role=Role.MANAGER)
        Party.objects.bulk_create(
            [
                Party(kind="person", given_name="Bench", family_name=f"P{n}",
                      display_name=f"Bench P{rng.randint(0, parties)}")
                for n in range(parties)
            ],
            batch_size=5000,
        )  # fmt: skip
        ids = list(Party.objects.order_by("pk").values_list("pk", flat=True))
        states = ["active"] * 6 + ["at_risk", "new", "inactive", "potential"]
        tiers = ["platinum"] + ["gold"] * 4 + ["silver"] * 15 + ["bronze"] * 80
        CustomerMetrics.objects.bulk_create(
            [
                CustomerMetrics(party_id=pk, as_of=today, computed_at=now, currency="EUR",
                                lifecycle_state=rng.choice(states), tier=rng.choice(tiers),
                                clv=Decimal(rng.randint(1, 5000)), p_alive=rng.random(),
                                state_since=today,
                                last_purchase_at=today - timedelta(days=rng.randint(1, 400)))
                for pk in ids
            ],
            batch_size=5000,
        )  # fmt: skip
        Interaction.objects.bulk_create(
            [
                Interaction(party_id=pk, channel="phone", direction="outbound",
                            occurred_at=now - timedelta(days=rng.randint(1, 300)), subject="x")
                for pk in rng.sample(ids, parties // 5)
            ],
            batch_size=5000,
        )  # fmt: skip
    return manager


def _first_page(user: Any, sort: str) -> int:
    from django.core.paginator import Paginator

    from clientela.segments.presenters import list_row
    from clientela.segments.services.listing import ListQuery, list_parties

    columns = ["name", "email", "owner", "tags", sort if sort != "name" else "kind"]
    page = Paginator(list_parties(user, ListQuery(columns=columns, sort=sort)), 50).get_page(1)
    return len([list_row(p, columns) for p in page.object_list]) + page.paginator.count


def _measure(run: Any, runs: int) -> dict[str, float]:
    for _ in range(2):
        run()
    wall, cpu = [], []
    for _ in range(runs):
        start, used = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - used)

    def at(samples: list[float], share: float) -> float:
        ordered = sorted(samples)
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 1)

    return {"p50_ms": at(wall, 0.5), "p90_ms": at(wall, 0.9),
            "p50_cpu_ms": at(cpu, 0.5), "p90_cpu_ms": at(cpu, 0.9)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parties", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--home", type=Path, help="where the database lives (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep --home for the next run")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-list-"))
    home.mkdir(parents=True, exist_ok=True)
    try:
        _setup(home)
        start = time.perf_counter()
        manager = _load(random.Random(12), args.parties)
        loaded = round(time.perf_counter() - start, 1)
        print("loaded", loaded, "s", file=sys.stderr)
        results: dict[str, Any] = {}
        for sort in SORTS:
            for name in (sort, f"-{sort}"):
                results[name] = _measure(lambda name=name: _first_page(manager, name), args.runs)
                print(name, results[name], file=sys.stderr)
        base = results["name"]["p50_cpu_ms"] or 1.0
        ratios = {k: round(v["p50_cpu_ms"] / base, 2) for k, v in results.items()}
        from django.test import Client

        client = Client()
        client.force_login(manager)
        url = "/parties/?sort=-clv&cols=name,email,owner,tags,clv,p_alive,lifecycle,tier"
        page = _measure(lambda: client.get(url), args.runs)
        worst = max(v["p90_cpu_ms"] for v in results.values())
        print(json.dumps({
            "parties": args.parties, "load_seconds": loaded, "sorts": results,
            "cpu_ratio_to_name": ratios, "page_sorted_by_clv": page,
            "worst_p90_cpu_ms": worst, "goal_p90_cpu_ms": GOAL_P90_CPU_MS,
            "met": worst <= GOAL_P90_CPU_MS, "load_average": os.getloadavg(),
        }))  # fmt: skip
    finally:
        if not args.keep and args.home is None:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
