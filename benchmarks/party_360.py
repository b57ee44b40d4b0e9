"""Customer-360 read benchmark: the party record and its timeline through the real server.

Loads 100,000 parties, 1,000,000 interactions and 500,000 orders into a private SQLite
database (raw bulk inserts in one transaction), starts gunicorn serving Clientela for each
worker/thread layout asked for, and drives it from 127.0.0.1 with wrk (C, one event-loop
thread, so it leaves the server nearly all of the 2 cores). Each endpoint is measured
separately on random party ids:

  party     GET /api/v1/parties/{id}
  timeline  GET /api/v1/parties/{id}/timeline          (first page of 50)
  busy      the same timeline, on parties with at least 50 timeline entries (full pages)

The yardstick. The same server also serves a bare django-ninja endpoint (GET /yardstick/{id}:
the same middleware, routing and JSON rendering, no authentication, no database), measured at
the start and at the end of every layout. This machine's speed varies about 2x from day to
day, so each endpoint's throughput and p99 are reported beside the yardstick's, measured in the
same run: a change to the code shows in the ratios, a slow day does not.

Prints one JSON document: machine, dataset sizes, load seconds, and per layout and endpoint
p50/p90/p99 latency (ms) and requests per second, and each beside the yardstick. Goal: p99 <=
25 ms and >= 500 requests/s.

The defaults are a quick run (10,000 parties, one layout, 5 s per endpoint); the figures of
docs/benchmarks.md come from the big one:

    .venv/bin/python benchmarks/party_360.py                 # quick: temp dir, one layout
    .venv/bin/python benchmarks/party_360.py --parties 100000 --interactions 1000000 \
        --orders 500000 --layouts 2x1,3x1,2x4,4x2 --duration 25 --warmup 5   # the big one
    .venv/bin/python benchmarks/party_360.py --home /tmp/b360 --keep   # load once, keep it
    .venv/bin/python benchmarks/party_360.py --home /tmp/b360 --layouts 2x4 --duration 25
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import types
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from _bench import require_wrk

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np
    from django.core.handlers.wsgi import WSGIHandler
    from django.db.backends.utils import CursorWrapper
    from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
GOAL = {"p99_ms": 25.0, "requests_per_s": 500.0}
YARDSTICK = "bare"
ENDPOINTS = {
    YARDSTICK: "/yardstick/%s",
    "party": "/api/v1/parties/%s",
    "timeline": "/api/v1/parties/%s/timeline",
    "busy": "/api/v1/parties/%s/timeline",
}
BENCH_EMAIL = "bench-manager@example.com"
# What gunicorn serves: Clientela plus the yardstick endpoint (see yardstick_application).
SERVED_APP = f"{Path(__file__).stem}:yardstick_application()"

WRK_SCRIPT = r"""
local ids = {}
local template = ""
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end

function init(args)
  template = args[1]
  wrk.headers["Authorization"] = "Bearer " .. args[2]
  for line in io.lines(args[3]) do ids[#ids + 1] = line end
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
end

function request()
  return wrk.format("GET", string.format(template, ids[math.random(#ids)]))
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"mean_us":%.1f,"errors":{"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write,
    e.status, e.timeout))
end
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", help="CLIENTELA_HOME to use (kept); default: a temp dir")
    parser.add_argument("--keep", action="store_true", help="keep the temp CLIENTELA_HOME")
    parser.add_argument("--parties", type=int, default=10_000)
    parser.add_argument("--interactions", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=360)
    parser.add_argument(
        "--layouts",
        default="2x1",
        help="gunicorn WORKERSxTHREADS to try, comma separated (threads>1 = gthread worker)",
    )
    parser.add_argument("--endpoints", default="party,timeline,busy")
    parser.add_argument("--duration", type=int, default=5, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per layout")
    parser.add_argument("--connections", type=int, default=12)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--load-only", action="store_true", help="load the data and stop")
    return parser.parse_args()


def setup_django(home: Path) -> None:
    os.environ["CLIENTELA_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "clientela.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# ---------------------------------------------------------------------------------------------
# Data


def _ts(seconds: float) -> str:
    """Django's SQLite storage form of an aware datetime: naive UTC text."""
    return datetime.fromtimestamp(int(seconds), UTC).strftime("%Y-%m-%d %H:%M:%S")


def _skewed_choice(
    rng: np.random.Generator, ids: NDArray[Any], weights: NDArray[Any], size: int
) -> NDArray[Any]:
    p = weights / weights.sum()
    return rng.choice(ids, size=size, p=p)


def _insert(
    cursor: CursorWrapper, table: str, columns: list[str], rows: list[tuple[Any, ...]]
) -> None:
    """executemany, filling NOT NULL columns added since this script was written with ''/0."""
    cursor.execute(f"PRAGMA table_info({table})")
    extra = [
        (name, 0 if any(t in kind.lower() for t in ("int", "bool", "decimal", "real")) else "")
        for _cid, name, kind, notnull, default, pk in cursor.fetchall()
        if notnull and default is None and not pk and name not in columns
    ]
    names = columns + [name for name, _ in extra]
    tail = tuple(value for _, value in extra)
    marks = ", ".join(["%s"] * len(names))
    cursor.executemany(
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})",
        [row + tail for row in rows] if tail else rows,
    )


def load(args: argparse.Namespace) -> dict[str, object]:
    """Bulk-insert the dataset in one transaction; returns sizes and seconds."""
    import numpy as np
    from django.db import connection, transaction

    from clientela.accounts.models import Team, User

    rng = np.random.default_rng(args.seed)
    started = time.perf_counter()
    now = time.time()
    three_years = 3 * 365 * 86400
    n = args.parties

    teams = [Team.objects.get_or_create(name=f"Team {c}")[0] for c in "ABCD"]
    staff = []
    for i in range(20):
        user, _ = User.objects.get_or_create(
            email=f"staff{i:02d}@example.com",
            defaults={
                "full_name": f"Staff Member {i:02d}",
                "role": "sales",
                "team": teams[i % 4],
                "password": "!",
            },
        )
        staff.append(user.pk)

    given = "ana bruno carla diego elena fabio gina hugo ines joao lara marco nadia olga paulo"
    family = "silva santos costa rossi bianchi garcia lopez martin ferreira moreau weber"
    givens, families = given.split(), family.split()
    org_words = "acme globex initech umbrella stark wayne tyrell cyberdyne soylent hooli".split()
    subjects = ["", "Follow-up", "Order question", "Complaint", "Renewal", "Invoice", "Welcome"]
    notes_pool = [
        "Customer asked about delivery times and the return policy.",
        "Called back about the invoice; agreed to send a corrected copy by e-mail.",
        "Visited the store with family, interested in the new collection.",
        "",
        "Left a voicemail. Will try again next week.",
        "Discussed renewal terms; wants a volume discount before signing.",
    ]
    channels = ["email", "phone", "toll_free", "sms", "chat", "web_form", "social", "letter"]
    channels += ["face_to_face", "event", "focus_group", "fax"]
    sales_channels = ["web", "store", "phone", "sales_rep", "marketplace", "distributor"]

    party_columns = (
        "kind given_name family_name organization_name display_name search_text external_id"
        " language timezone organization_level custom notes created_at updated_at created_by_id"
        " owner_id team_id"
    ).split()
    name_key: Callable[[str, str, str, str], str] | None
    try:  # the duplicate-matching key, where the product has one
        from clientela.parties.services.identity import name_key
    except ImportError:
        name_key = None
    else:
        party_columns.append("name_key")
    kinds = rng.random(n) < 0.15  # True: organization
    created = now - three_years - 365 * 86400 + rng.random(n) * (three_years + 300 * 86400)
    owners = rng.integers(0, len(staff), n)
    has_owner = rng.random(n) < 0.8
    role_draw = rng.random(n)
    party_rows, contact_rows, role_rows, date_rows, change_rows, tag_rows = [], [], [], [], [], []
    first_id = 1
    for i in range(n):
        pid = first_id + i
        c = _ts(created[i])
        u = _ts(min(now, created[i] + 86400 * 30))
        if kinds[i]:
            org = f"{org_words[i % len(org_words)]} {i}"
            given_name, family_name, org_name, kind = "", "", org.title(), "organization"
            display = org_name
        else:
            given_name = givens[i % len(givens)].title()
            family_name = f"{families[(i // 7) % len(families)].title()} {i}"
            org_name, kind = "", "person"
            display = f"{given_name} {family_name}"
        email = f"p{pid}@example.com"
        phone = f"+1202555{pid % 10000:04d}"
        search = f"{display.lower()} {email} {phone}"
        owner = staff[owners[i]] if has_owner[i] else None
        team = teams[owners[i] % 4].pk if has_owner[i] else None
        row: tuple[Any, ...] = (
            kind,
            given_name,
            family_name,
            org_name,
            display,
            search,
            f"P{pid:07d}",
            "en",
            "Europe/Lisbon",
            "",
            "{}",
            "",
            c,
            u,
            owner,
            owner,
            team,
        )
        if name_key is not None:
            row += (name_key(kind, given_name, family_name, org_name),)
        party_rows.append(row)
        contact_rows.append((pid, "email", "", email, email, True, "", "", "", "", ""))
        if i % 5 < 3:
            contact_rows.append((pid, "phone", "mobile", phone, phone, True, "", "", "", "", ""))
        if i % 3 == 0:
            contact_rows.append(
                (
                    pid,
                    "address",
                    "home",
                    "1 Main St, Springfield",
                    "1 main st, springfield",
                    True,
                    "1 Main St",
                    "Springfield",
                    "",
                    "12345",
                    "US",
                )
            )
        role = "customer" if role_draw[i] < 0.7 else "prospect" if role_draw[i] < 0.9 else "partner"
        role_rows.append((pid, role, c[:10]))
        if not kinds[i] and i % 3 == 1:
            date_rows.append((pid, "birthday", "", 1950 + i % 50, 1 + i % 12, 1 + i % 28))
        if i % 5 == 0:
            tag_rows.append((pid, 1 + i % 8))
        change_rows.append(
            (pid, owner, c, "created", json.dumps({"display_name": [None, display]}))
        )

    # Skewed activity: log-normal weights, so a few parties have thousands of entries.
    party_ids = np.arange(first_id, first_id + n)
    weights = rng.lognormal(0.0, 1.5, n)
    inter_party = _skewed_choice(rng, party_ids, weights, args.interactions)
    inter_at = now - rng.random(args.interactions) * three_years
    by_time = np.argsort(inter_at)  # ids grow with time, as they do in production
    inter_party, inter_at = inter_party[by_time], inter_at[by_time]
    customers = party_ids[role_draw < 0.7]
    cust_weights = weights[role_draw < 0.7] * rng.lognormal(0.0, 0.5, len(customers))
    order_party = _skewed_choice(rng, customers, cust_weights, args.orders)
    order_at = np.sort(now - rng.random(args.orders) * three_years)
    totals = np.round(rng.lognormal(4.0, 0.8, args.orders), 2)
    status_draw = rng.random(args.orders)

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size=-1000000")  # 1 GB for this loading connection only
    with transaction.atomic(), connection.cursor() as cursor:
        _insert(cursor, "parties_party", party_columns, party_rows)
        cursor.execute("SELECT MIN(id), MAX(id) FROM parties_party")
        assert tuple(cursor.fetchone()) == (first_id, first_id + n - 1), "load into an empty db"
        _insert(
            cursor,
            "parties_contactpoint",
            [
                "party_id",
                "kind",
                "label",
                "value",
                "normalized",
                "is_primary",
                "street",
                "locality",
                "region",
                "postal_code",
                "country",
            ],
            contact_rows,
        )
        _insert(cursor, "parties_partyrole", ["party_id", "role", "since"], role_rows)
        _insert(
            cursor,
            "parties_keydate",
            ["party_id", "kind", "label", "year", "month", "day"],
            date_rows,
        )
        _insert(cursor, "parties_tag", ["name"], [(f"tag-{k}",) for k in range(1, 9)])
        _insert(cursor, "parties_party_tags", ["party_id", "tag_id"], tag_rows)
        _insert(
            cursor,
            "parties_partychange",
            ["party_id", "actor_id", "at", "action", "changes"],
            change_rows,
        )
        del party_rows, contact_rows, role_rows, date_rows, change_rows, tag_rows
        chunk = 100_000
        for start in range(0, args.interactions, chunk):
            rows: list[tuple[Any, ...]] = []
            for j in range(start, min(start + chunk, args.interactions)):
                at = _ts(inter_at[j])
                rows.append(
                    (
                        int(inter_party[j]),
                        channels[j % 12],
                        "inbound" if j % 3 else "outbound",
                        at,
                        subjects[j % 7],
                        notes_pool[j % 6],
                        "done" if j % 4 else "",
                        at,
                        staff[j % 20],
                        staff[j % 20],
                    )
                )
            _insert(
                cursor,
                "interactions_interaction",
                [
                    "party_id",
                    "channel",
                    "direction",
                    "occurred_at",
                    "subject",
                    "notes",
                    "outcome",
                    "created_at",
                    "staff_id",
                    "created_by_id",
                ],
                rows,
            )
        for start in range(0, args.orders, chunk):
            rows = []
            for j in range(start, min(start + chunk, args.orders)):
                at = _ts(order_at[j])
                s = status_draw[j]
                status = "completed" if s < 0.9 else "cancelled" if s < 0.96 else "refunded"
                rows.append(
                    (
                        f"ORD-{j + 1:08d}",
                        int(order_party[j]),
                        at,
                        f"{totals[j]:.2f}",
                        "EUR",
                        status,
                        sales_channels[j % 6],
                        at,
                    )
                )
            _insert(
                cursor,
                "commerce_order",
                [
                    "external_id",
                    "party_id",
                    "ordered_at",
                    "total",
                    "currency",
                    "status",
                    "channel",
                    "created_at",
                ],
                rows,
            )
    seconds = time.perf_counter() - started
    return {"load_seconds": round(seconds, 1), **dataset_sizes()}


def dataset_sizes() -> dict[str, object]:
    from django.db import connection

    tables = {
        "parties": "parties_party",
        "contact_points": "parties_contactpoint",
        "interactions": "interactions_interaction",
        "orders": "commerce_order",
    }
    sizes: dict[str, object] = {}
    with connection.cursor() as cursor:
        for name, table in tables.items():
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            sizes[name] = cursor.fetchone()[0]
        cursor.execute(
            "SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM interactions_interaction"
            " GROUP BY party_id)"
        )
        sizes["max_interactions_per_party"] = cursor.fetchone()[0]
    return sizes


def sample_ids(home: Path, seed: int) -> dict[str, Path]:
    """Files of party ids for wrk: random ones, and busy ones (>= 50 timeline entries)."""
    import random

    from django.db import connection

    rnd = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM parties_party WHERE archived_at IS NULL")
        every = [r[0] for r in cursor.fetchall()]
        cursor.execute(
            "SELECT party_id FROM (SELECT party_id, COUNT(*) AS n FROM ("
            " SELECT party_id FROM interactions_interaction UNION ALL"
            " SELECT party_id FROM commerce_order) GROUP BY party_id) WHERE n >= 50"
        )
        busy = [r[0] for r in cursor.fetchall()]
    files = {}
    for name, ids in (("party", every), ("timeline", every), ("busy", busy)):
        path = home / f"bench-ids-{name}.txt"
        path.write_text("\n".join(str(i) for i in rnd.sample(ids, min(20_000, len(ids)))) + "\n")
        files[name] = path
    return files


def make_token() -> str:
    from clientela.accounts.models import User
    from clientela.accounts.services import create_token, create_user

    user = User.objects.filter(email=BENCH_EMAIL).first()
    if user is None:
        user = create_user(BENCH_EMAIL, password="bench-password-360", role="manager")
    return create_token(user, name="party_360 benchmark")[1]


# ---------------------------------------------------------------------------------------------
# Server and load generator


def yardstick_application() -> WSGIHandler:
    """Clientela's WSGI application, plus the yardstick: a bare django-ninja endpoint.

    gunicorn calls this in each worker (SERVED_APP). The endpoint goes through everything the
    API's requests go through before and after their view (Django's middleware, URL routing,
    django-ninja's parameter parsing and JSON rendering) and does nothing in between: no token
    check, no query. Whatever the machine's speed that day, the product's endpoints are judged
    against it.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.urls import include, path
    from ninja import NinjaAPI

    application = get_wsgi_application()
    bare = NinjaAPI(urls_namespace="yardstick", docs_url=None, openapi_url=None)

    @bare.get("/{item_id}")
    def echo(request: object, item_id: int) -> dict[str, int]:
        return {"id": item_id}

    urls = types.ModuleType("party_360_urls")
    urls.urlpatterns = [  # type: ignore[attr-defined]  # a module built here, not imported
        path("yardstick/", bare.urls),
        path("", include(settings.ROOT_URLCONF)),
    ]
    sys.modules[urls.__name__] = urls
    settings.ROOT_URLCONF = urls.__name__
    return application


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(home: Path, port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CLIENTELA_HOME": str(home), "CLIENTELA_DEBUG": "0"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [
        str(VENV_BIN / "gunicorn"),
        SERVED_APP,
        "--pythonpath",
        str(HERE),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--log-level",
        "warning",
    ]
    log = (home / f"gunicorn-{workers}x{threads}.log").open("wb")
    return subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def server_cpu_seconds(server: subprocess.Popen[bytes]) -> float:
    """User + system CPU of the gunicorn arbiter and its live workers."""
    pids = [server.pid]
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    if children.exists():
        pids += [int(p) for p in children.read_text().split()]
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_ready(
    port: int, token: str, party_id: str, server: subprocess.Popen[bytes], log: Path
) -> None:
    """Wait until the server answers 200 on the party record and on the yardstick."""
    deadline = time.monotonic() + 60
    for template in (ENDPOINTS["party"], ENDPOINTS[YARDSTICK]):
        url = f"http://127.0.0.1:{port}{template % party_id}"
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        while True:
            if server.poll() is not None:
                tail = log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"gunicorn exited with {server.returncode}:\n{tail}")
            if time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"gunicorn did not answer {url} within 60 s:\n{tail}")
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)


def run_wrk(
    port: int, token: str, template: str, ids: Path, *, seconds: int, connections: int
) -> dict[str, Any]:
    script = ids.parent / "bench-wrk.lua"
    script.write_text(WRK_SCRIPT)
    command = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "10s",
        "--script",
        str(script),
        f"http://127.0.0.1:{port}",
        "--",
        template,
        token,
        str(ids),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    raw = json.loads(line.removeprefix("WRKJSON "))
    errors = {k: v for k, v in raw["errors"].items() if v}
    per_second = round(raw["requests"] / (raw["duration_us"] / 1e6), 1)
    p99 = round(raw["p99_us"] / 1000, 2)
    result: dict[str, Any] = {
        "requests": raw["requests"],
        "requests_per_s": per_second,
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p90_ms": round(raw["p90_us"] / 1000, 2),
        "p99_ms": p99,
        "max_ms": round(raw["max_us"] / 1000, 2),
    }
    if errors:
        result["errors"] = errors
    result["goal_met"] = (
        not errors and p99 <= GOAL["p99_ms"] and per_second >= GOAL["requests_per_s"]
    )
    return result


@dataclass(frozen=True)
class Target:
    """The server being measured, and how to talk to it."""

    server: subprocess.Popen[bytes]
    port: int
    token: str
    ids: dict[str, Path]
    layout: str


def measure_endpoint(args: argparse.Namespace, target: Target, endpoint: str) -> dict[str, Any]:
    """Warm up, then measure one endpoint; with the server's CPU per request and the load."""
    template = ENDPOINTS[endpoint]
    id_file = target.ids["party" if endpoint == YARDSTICK else endpoint]

    def drive(seconds: int) -> dict[str, Any]:
        return run_wrk(
            target.port,
            target.token,
            template,
            id_file,
            seconds=seconds,
            connections=args.connections,
        )

    if args.warmup:
        drive(args.warmup)
    cpu = server_cpu_seconds(target.server)
    run = drive(args.duration)
    used = server_cpu_seconds(target.server) - cpu
    run["server_cpu_ms_per_request"] = round(1000 * used / max(1, int(run["requests"])), 2)
    run["loadavg_1m_after"] = round(os.getloadavg()[0], 2)
    if endpoint == YARDSTICK:
        del run["goal_met"]  # the goal is the product's, not the yardstick's
    print(f"{target.layout} {endpoint}: {run}", file=sys.stderr)
    return run


def beside_yardstick(run: dict[str, Any], yardstick: dict[str, Any]) -> dict[str, Any]:
    """An endpoint's throughput and p99 next to the yardstick's, and their ratios.

    `throughput_share`: the endpoint's requests/s as a share of the yardstick's (1.0: as fast
    as doing nothing). `p99_times`: its p99 as a multiple of the yardstick's.
    """
    return {
        "requests_per_s": run["requests_per_s"],
        "p99_ms": run["p99_ms"],
        "yardstick_requests_per_s": yardstick["requests_per_s"],
        "yardstick_p99_ms": yardstick["p99_ms"],
        "throughput_share": round(run["requests_per_s"] / max(yardstick["requests_per_s"], 0.1), 3),
        "p99_times": round(run["p99_ms"] / max(yardstick["p99_ms"], 0.01), 2),
    }


def yardstick_of(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The yardstick of a layout: the mean of its runs at the start and at the end."""
    return {
        "requests_per_s": round((before["requests_per_s"] + after["requests_per_s"]) / 2, 1),
        "p99_ms": round((before["p99_ms"] + after["p99_ms"]) / 2, 2),
        "start": {k: v for k, v in before.items() if k != "goal_met"},
        "end": {k: v for k, v in after.items() if k != "goal_met"},
    }


def machine() -> dict[str, object]:
    meminfo = Path("/proc/meminfo").read_text().split()
    mem_kib = int(meminfo[meminfo.index("MemTotal:") + 1])
    cpu = next(
        (
            x.split(":", 1)[1].strip()
            for x in Path("/proc/cpuinfo").read_text().splitlines()
            if x.startswith("model name")
        ),
        platform.processor(),
    )
    import sqlite3

    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "loadavg_before": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_generator": subprocess.run(
            ["wrk", "--version"], capture_output=True, text=True, check=False
        )
        .stdout.split("[")[0]
        .strip(),
    }


def main() -> int:
    args = parse_args()
    require_wrk()
    temporary = args.home is None
    home = Path(args.home or tempfile.mkdtemp(prefix="clientela-b360-")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    info = machine()
    try:
        setup_django(home)
        from django.db import connection

        from clientela.parties.models import Party

        if Party.objects.exists():
            data: dict[str, object] = {"load_seconds": None, **dataset_sizes()}
        else:
            print("loading…", file=sys.stderr)
            data = load(args)
            print(f"loaded in {data['load_seconds']} s", file=sys.stderr)
        if args.load_only:
            print(json.dumps({"home": str(home), "dataset": data}, indent=2))
            return 0
        token = make_token()
        ids = sample_ids(home, args.seed)
        connection.close()

        results: dict[str, dict[str, dict[str, Any]]] = {}
        yardsticks: dict[str, dict[str, Any]] = {}
        first_id = ids["party"].read_text().split()[0]
        endpoints = [e for e in args.endpoints.split(",") if e and e != YARDSTICK]
        for layout in args.layouts.split(","):
            workers, threads = (int(x) for x in layout.lower().split("x"))
            port = args.port or free_port()
            server = start_server(home, port, workers, threads)
            try:
                wait_ready(
                    port, token, first_id, server, home / f"gunicorn-{workers}x{threads}.log"
                )

                target = Target(server, port, token, ids, layout)
                start = measure_endpoint(args, target, YARDSTICK)
                results[layout] = {e: measure_endpoint(args, target, e) for e in endpoints}
                yardsticks[layout] = yardstick_of(start, measure_endpoint(args, target, YARDSTICK))
            finally:
                stop_server(server)

        def score(layout: str) -> tuple[float, float]:
            runs = results[layout].values()
            return (
                max(float(r["p99_ms"]) for r in runs),
                -min(float(r["requests_per_s"]) for r in runs),
            )

        best = min(results, key=score)
        report = {
            "benchmark": "party_360",
            "machine": info,
            "dataset": data,
            "client": {
                "tool": "wrk",
                "threads": 1,
                "connections": args.connections,
                "seconds": args.duration,
                "warmup_seconds": args.warmup,
                "ids": "uniform random over the sampled party ids",
            },
            "goal": GOAL,
            "yardstick": {
                "endpoint": "GET " + ENDPOINTS[YARDSTICK].replace("%s", "{id}"),
                "what": "a bare django-ninja endpoint on the same server: middleware, routing "
                "and JSON, no token check, no query; measured at the start and the end of "
                "each layout, figures are their mean",
                "layouts": yardsticks,
            },
            "beside_yardstick": {
                layout: {
                    endpoint: beside_yardstick(run, yardsticks[layout])
                    for endpoint, run in runs.items()
                }
                for layout, runs in results.items()
            },
            "layouts": results,
            "best_layout": best,
            "goal_met": all(r["goal_met"] for r in results[best].values()),
        }
        print(json.dumps(report, indent=2))
        return 0
    finally:
        if temporary and not args.keep:
            shutil.rmtree(home, ignore_errors=True)
        elif temporary:
            print(f"kept CLIENTELA_HOME={home}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
