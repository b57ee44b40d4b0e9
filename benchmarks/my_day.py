"""My day and call list benchmark (SQLite): how long a rep's My day takes to answer, and how
long a call list of 10,000 parties takes to build.

Loads 100,000 parties into a private SQLite database (a sales rep owns 5,000 of them; every
party has its metrics row, a fifth of them an interaction, some birthdays and activities),
then measures in-process, after a warm-up:

  my_day       activities.services.my_day(rep): the service the page, API and CLI call
  my_day_api   GET /api/v1/my-day through Django's test client (token, routing, JSON)
  my_day_wsgi  GET /api/v1/my-day through clientela.wsgi.application, called as gunicorn's
               worker calls it (a WSGI environ in, the body iterated, the response closed):
               the served path, without the test client's own work (it connects and
               disconnects signal receivers on every request, and each connection leaves a
               weakref finalizer behind for good)
  call_list   build_call_list() for 10,000 parties with phone consent, spread over a team of 5
              (one run, in a transaction, as the API does)

Prints one JSON document: dataset sizes, load seconds, p50/p90/p99 (ms) of each My day
measure, the call list's seconds and calls made, and the load average. Each figure is given
twice: wall-clock time, and the CPU time the process used (`*_cpu`, `cpu_seconds`: all of it
in this one thread, SQLite included). On a machine shared with other work the wall clock
mostly measures the queue for a core; the CPU time is what the same run costs on an idle one.
Goals: My day p99 <= 50 ms; a call list of 10,000 in <= 5 s. `met_wall` and `met_cpu` judge
the served path (`my_day_wsgi`); `met_test_client` the same goal through the test client.
`--only my-day` skips the call list (each build adds 10,000 calls to a kept database).

    .venv/bin/python benchmarks/my_day.py [--runs 300]
    .venv/bin/python benchmarks/my_day.py --home /tmp/bmd --keep   # load once (minutes), keep
    .venv/bin/python benchmarks/my_day.py --home /tmp/bmd --keep   # measure again on it
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PARTIES = 100_000
OWNED = 5_000
CALLS = 10_000
GOAL = {"my_day_p99_ms": 50.0, "call_list_seconds": 5.0}
WARM_UP = 60  # requests before measuring: beyond core.memory.WARM_UP_REQUESTS (50)


def _setup(home: Path) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ["CLIENTELA_HOME"] = str(home)
    os.environ.pop("CLIENTELA_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 2)

    return {"p50_ms": at(0.50), "p90_ms": at(0.90), "p99_ms": at(0.99),
            "mean_ms": round(statistics.fmean(ordered) * 1000, 2)}  # fmt: skip


def _load(rng: random.Random) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from clientela.accounts.models import Role, Team, User
    from clientela.activities.models import Activity
    from clientela.analytics.models import CustomerMetrics
    from clientela.consent.models import ConsentRecord
    from clientela.consent.services import store_wording
    from clientela.interactions.models import Interaction
    from clientela.parties.models import ContactPoint, KeyDate, Party

    now = timezone.now()
    today = now.date()
    with transaction.atomic():
        team = Team.objects.create(name="Bench sales")
        callers_team = Team.objects.create(name="Bench callers")
        rep = User.objects.create(email="rep@bench.example", role=Role.SALES, team=team)
        callers = [
            User.objects.create(email=f"caller{n}@bench.example", role=Role.SALES,
                                team=callers_team)
            for n in range(5)
        ]  # fmt: skip
        Party.objects.bulk_create(
            [
                Party(kind="person", given_name="Bench", family_name=f"P{n}",
                      display_name=f"Bench P{n}", owner=rep if n < OWNED else None,
                      team=team if n < OWNED else (callers_team if n < OWNED + CALLS else None),
                      timezone=rng.choice(["Europe/Lisbon", "Asia/Kathmandu", "America/New_York"]))
                for n in range(PARTIES)
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
                                clv=Decimal(rng.randint(1, 5000)), state_since=today,
                                first_purchase_at=today - timedelta(days=rng.randint(1, 400)))
                for pk in ids
            ],
            batch_size=5000,
        )  # fmt: skip
        Interaction.objects.bulk_create(
            [
                Interaction(party_id=pk, channel="phone", direction="outbound",
                            occurred_at=now - timedelta(days=rng.randint(1, 300)), subject="x")
                for pk in rng.sample(ids, PARTIES // 5)
            ],
            batch_size=5000,
        )  # fmt: skip
        KeyDate.objects.bulk_create(
            [
                KeyDate(party_id=pk, kind="birthday", month=rng.randint(1, 12),
                        day=rng.randint(1, 28))
                for pk in rng.sample(ids, PARTIES // 10)
            ],
            batch_size=5000,
        )  # fmt: skip
        owned = ids[:OWNED]
        Activity.objects.bulk_create(
            [
                Activity(party_id=pk, kind="call", title="Call", time_zone="UTC",
                         due_date=(when := now + timedelta(hours=rng.randint(-200, 400))).date(),
                         due_at=when, overdue_at=when, assignee=rep)
                for pk in rng.sample(owned, 1500)
            ],
            batch_size=5000,
        )  # fmt: skip
        calls = ids[OWNED : OWNED + CALLS]
        ContactPoint.objects.bulk_create(
            [
                ContactPoint(party_id=pk, kind="phone", value=f"+3519{pk:08d}",
                             normalized=f"+3519{pk:08d}", is_primary=True)
                for pk in calls
            ],
            batch_size=5000,
        )  # fmt: skip
        wording = store_wording("You may call me.", version="bench")
        ConsentRecord.objects.bulk_create(
            [
                ConsentRecord(party_id=pk, purpose="marketing", channel="phone",
                              status="granted", legal_basis="consent", source="import",
                              wording=wording, recorded_at=now)
                for pk in calls
            ],
            batch_size=5000,
        )  # fmt: skip
    return {"rep": rep, "manager": callers[0], "calls": calls}


def _loaded() -> dict[str, Any] | None:
    """The data of an earlier run kept in --home, if there is one (loading takes minutes)."""
    from clientela.accounts.models import User
    from clientela.parties.models import Party

    rep = User.objects.filter(email="rep@bench.example").first()
    if rep is None:
        return None
    manager = User.objects.get(email="caller0@bench.example")
    calls = Party.objects.filter(team_id=manager.team_id).order_by("pk")
    return {"rep": rep, "manager": manager, "calls": list(calls.values_list("pk", flat=True))}


def _timed(call: Any, runs: int) -> tuple[list[float], list[float]]:
    wall, cpu = [], []
    for _ in range(runs):
        start, used = time.perf_counter(), time.process_time()
        call()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - used)
    return wall, cpu


def _wsgi_get(application: Any, path: str, token: str) -> tuple[str, bytes]:
    """One GET through the WSGI application, as a gunicorn sync worker makes it."""
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT": "application/json",
        "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0), "wsgi.multithread": False, "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }  # fmt: skip
    status: list[str] = []
    body = application(environ, lambda s, headers, exc_info=None: status.append(s))
    try:
        content = b"".join(body)
    finally:
        body.close()  # request_finished: what runs once the answer has left
    return status[0], content


def _my_day(rep: Any, runs: int) -> dict[str, Any]:
    from django.test import Client

    from clientela.accounts.services import create_token
    from clientela.activities.services import my_day
    from clientela.core import memory
    from clientela.wsgi import application  # loads the app as `clientela serve` does

    _token, raw = create_token(rep)
    # As a server process: the app loaded (settled by clientela/wsgi.py), then warmed up by
    # its first requests (after which it settles its heap again), through the WSGI application
    # as gunicorn calls it.
    for _ in range(WARM_UP):
        status, content = _wsgi_get(application, "/api/v1/my-day", raw)
    assert status.startswith("200"), content[:500]
    wsgi, wsgi_cpu = _timed(lambda: _wsgi_get(application, "/api/v1/my-day", raw), runs)
    samples, cpu = _timed(lambda: my_day(rep), runs)
    day = my_day(rep)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    for _ in range(10):
        client.get("/api/v1/my-day")
    # The test client's leftovers (finalizers, responses) out of the collector's reach, as a
    # server's are once it has warmed up.
    memory.settle_heap()
    api, api_cpu = _timed(lambda: client.get("/api/v1/my-day"), runs)
    answer = client.get("/api/v1/my-day")
    assert answer.status_code == 200, answer.content
    return {
        "my_day": _percentiles(samples),
        "my_day_api": _percentiles(api),
        "my_day_wsgi": _percentiles(wsgi),
        "my_day_cpu": _percentiles(cpu),
        "my_day_api_cpu": _percentiles(api_cpu),
        "my_day_wsgi_cpu": _percentiles(wsgi_cpu),
        "contents": {
            "overdue": len(day.overdue),
            "today": len(day.today),
            "attention": len(day.attention),
        },
    }


def _call_list(caller: Any, calls: list[int]) -> dict[str, Any]:
    from django.db import transaction

    from clientela.activities.models import CallListItem
    from clientela.activities.schemas import CallListCreate
    from clientela.activities.services import build_call_list

    today = datetime.now(UTC).date()
    monday = today + timedelta(days=7 - today.weekday())
    data = CallListCreate(name="Bench calls", team_id=caller.team_id, starts_on=monday,
                          ends_on=monday + timedelta(days=4), party_ids=calls)  # fmt: skip
    start, used = time.perf_counter(), time.process_time()
    with transaction.atomic():
        built = build_call_list(data, by=caller)
    seconds, cpu = time.perf_counter() - start, time.process_time() - used
    made = CallListItem.objects.filter(call_list=built, activity__isnull=False).count()
    return {"parties": len(calls), "calls_made": made, "seconds": round(seconds, 2),
            "cpu_seconds": round(cpu, 2)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--home", type=Path, help="data folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the data folder")
    parser.add_argument("--only", choices=["my-day"], help="measure only My day")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-myday-"))
    try:
        _setup(home)
        started = time.perf_counter()
        world = _loaded() or _load(random.Random(13))
        loaded = time.perf_counter() - started
        print(f"loaded in {loaded:.1f} s", file=sys.stderr)
        day = _my_day(world["rep"], args.runs)
        calls = None if args.only else _call_list(world["manager"], world["calls"])
        goal = GOAL["my_day_p99_ms"]
        result = {
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                        "load_average": [round(x, 2) for x in os.getloadavg()]},
            "dataset": {"parties": PARTIES, "owned_by_rep": OWNED, "call_list": CALLS},
            "load_seconds": round(loaded, 1),
            "runs": args.runs,
            **day,
            "call_list": calls,
            "goal": GOAL,
            "met_wall": {"my_day": day["my_day_wsgi"]["p99_ms"] <= goal,
                         "call_list": calls and calls["seconds"] <= GOAL["call_list_seconds"]},
            "met_cpu": {"my_day": day["my_day_wsgi_cpu"]["p99_ms"] <= goal,
                        "call_list": calls and calls["cpu_seconds"] <= GOAL["call_list_seconds"]},
            "met_test_client": {"wall": day["my_day_api"]["p99_ms"] <= goal,
                                "cpu": day["my_day_api_cpu"]["p99_ms"] <= goal},
        }  # fmt: skip
        print(json.dumps(result, indent=2))
    finally:
        if not args.keep and args.home is None:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
