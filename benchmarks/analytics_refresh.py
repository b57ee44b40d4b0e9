"""The full analytics refresh beside DuckDB's aggregation of the same orders, SQLite or PostgreSQL.

    .venv/bin/python benchmarks/analytics_refresh.py       # quick: 20,000 x 200,000 orders
    .venv/bin/python benchmarks/analytics_refresh.py --customers 1000000 --orders 10000000
        [--workdir /tmp/clientela-bench-analytics] [--duckdb-python PATH]

The store is generated once with raw executemany into SQLite and kept under --workdir between
runs; 1 % of the orders are in US dollars, converted at each weekday's rate (added to older
stores too). With CLIENTELA_DATABASE_URL naming a PostgreSQL server, the same rows are copied (COPY)
into a database of their own on it, clientela_bench_analytics_<customers>x<orders>, kept between
runs too, and the refresh runs there. The refresh (aggregate, score, fit, predict, lifecycle,
write back) runs in a child process so that its peak memory is its own: first on the day before
(to have a previous state), then, timed, on the as-of day. DuckDB computes the same
per-customer RFM aggregation from a Parquet copy of the orders, in its own virtualenv
(.bench/duckdb, made by `make bench-peers`; duckdb and pyarrow are not dependencies of
Clientela). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from _bench import fresh_postgres_database, peer_python, postgres_database, postgres_url

if TYPE_CHECKING:
    from django.db.models import Model

AS_OF = date(2025, 6, 30)
DAYS = 1000  # first purchases fall within this many days before the as-of day
DUCKDB_SQL = """
WITH occasions AS (
    SELECT party_id, CAST(floor(epoch(ordered_at) / 86400) AS BIGINT) AS day, SUM(total) AS value
    FROM read_parquet('{parquet}')
    WHERE status = 'completed' AND currency = 'EUR' AND ordered_at < TIMESTAMP '{until}'
    GROUP BY party_id, day
)
SELECT party_id, COUNT(*) AS occasions, MIN(day) AS first_day, MAX(day) AS last_day,
       SUM(value) AS total, arg_min(value, day) AS first_value
FROM occasions GROUP BY party_id ORDER BY party_id
"""


def _django(db: Path, url: str | None = None) -> None:
    os.environ["CLIENTELA_HOME"] = str(db.parent)
    os.environ["CLIENTELA_DATABASE_URL"] = url or f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    import django

    django.setup()


def _template_row(model: type[Model], **values: object) -> tuple[list[str], list[object]]:
    """Column names and database values of one instance, with Django's defaults filled in."""
    from django.db import connection

    obj = model(**values)
    names, row = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        value = getattr(obj, field.attname)
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            from django.utils import timezone

            value = timezone.now()
        names.append(field.column)
        row.append(field.get_db_prep_save(value, connection))
    return names, row


def generate(db: Path, customers: int, orders: int, seed: int = 42) -> None:
    """Parties 1..customers and exactly `orders` orders, written with raw executemany."""
    import numpy as np
    from django.core.management import call_command
    from django.db import connection

    from clientela.commerce.models import Order
    from clientela.parties.models import Party

    call_command("migrate", verbosity=0)
    party_cols, party_row = _template_row(
        Party, kind="person", given_name="Bench", display_name="x"
    )
    order_cols, order_row = _template_row(
        Order, external_id="x", party_id=1, total=1, currency="EUR", status="completed",
        channel="web", ordered_at=None,
    )  # fmt: skip
    connection.close()
    rng = np.random.default_rng(seed)
    # The BG/NBD generative process (days): purchase rates ~ Gamma(1.2, 30), drop-out chances
    # ~ Beta(0.6, 4), ages uniform over the window; about 10 orders per customer on average.
    age = rng.uniform(30, DAYS, customers)
    events = rng.poisson(rng.gamma(1.2, 1 / 30, customers) * age)
    repeats = np.minimum(events, rng.geometric(rng.beta(0.6, 4.0, customers)))
    extra = np.zeros(customers, dtype=np.int64)  # further orders on an occasion's day
    diff = orders - int(repeats.sum()) - customers
    while diff < 0:  # too many: drop repeat purchases of random repeat customers
        pick = rng.choice(np.flatnonzero(repeats), -diff)
        np.subtract.at(repeats, pick, 1)
        repeats = np.maximum(repeats, 0)
        diff = orders - int(repeats.sum()) - customers
    np.add.at(extra, rng.integers(0, customers, diff), 1)
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    pi, oi = party_cols.index("display_name"), order_cols.index
    p_marks = ", ".join("?" * (len(party_cols) + 1))
    p_sql = f"INSERT INTO parties_party (id, {', '.join(party_cols)}) VALUES ({p_marks})"
    o_marks = ", ".join("?" * len(order_cols))
    o_sql = f"INSERT INTO commerce_order ({', '.join(order_cols)}) VALUES ({o_marks})"
    end = np.datetime64(AS_OF.isoformat()) + np.timedelta64(1, "D")
    order_no, chunk = 0, 50_000
    for start in range(0, customers, chunk):
        ids = np.arange(start + 1, min(start + chunk, customers) + 1)
        parties: list[tuple[object, ...]] = []
        for pid in ids.tolist():
            row = list(party_row)
            row[pi] = f"Customer {pid}"
            parties.append((pid, *row))
        con.executemany(p_sql, parties)
        part = slice(start, start + ids.size)
        x, n_events, ages, more = repeats[part], events[part], age[part], extra[part]
        # Repeat purchases: the first x of each customer's Poisson events, uniform in (0, age).
        event_owner = np.repeat(np.arange(ids.size), n_events)
        moments = rng.random(event_owner.size) * ages[event_owner]
        order = np.lexsort((moments, event_owner))
        moments, event_owner = moments[order], event_owner[order]
        rank = np.arange(event_owner.size) - np.repeat(np.cumsum(n_events) - n_events, n_events)
        keep = rank < x[event_owner]
        who = np.concatenate(
            [np.arange(ids.size), event_owner[keep], np.repeat(np.arange(ids.size), more)]
        )
        when = np.concatenate([np.zeros(ids.size), moments[keep], np.full(int(more.sum()), 1 / 24)])
        owner = ids[who]
        seconds = ((DAYS - ages[who] + when) * 86400).astype(np.int64)
        stamps = end - np.timedelta64(DAYS, "D") + seconds.astype("timedelta64[s]")
        text = np.char.replace(np.datetime_as_string(stamps, unit="s"), "T", " ").tolist()
        totals = np.round(rng.gamma(3.0, rng.gamma(3.0, 5.0, ids.size)[who]), 2).tolist()
        roll = rng.random(owner.size)
        status = np.where(
            roll < 0.03, "refunded", np.where(roll < 0.04, "cancelled", "completed")
        ).tolist()
        currency = np.where(rng.random(owner.size) < 0.01, "USD", "EUR").tolist()
        order_rows: list[list[object]] = []
        for pid, at, total, st, cur in zip(
            owner.tolist(), text, totals, status, currency, strict=True
        ):
            order_no += 1
            row = list(order_row)
            row[oi("external_id")] = f"B{order_no}"
            row[oi("party_id")] = pid
            row[oi("ordered_at")] = at
            row[oi("total")] = total
            row[oi("status")] = st
            row[oi("currency")] = cur
            order_rows.append(row)
        con.executemany(o_sql, order_rows)
        con.commit()
        print(
            f"generated {min(start + chunk, customers):,} customers, {order_no:,} orders",
            file=sys.stderr,
        )
    con.execute("ANALYZE")
    con.commit()
    con.close()


def add_rates() -> None:
    """A dollar rate each weekday of the orders' span, as the ECB publishes them (once)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from clientela.commerce.models import ExchangeRate

    if ExchangeRate.objects.filter(currency="USD").exists():
        return
    day, rows = AS_OF - timedelta(days=DAYS + 7), []
    while day <= AS_OF:
        if day.weekday() < 5:
            rate = Decimal("1.05") + Decimal(day.toordinal() % 90) / 1000
            rows.append(
                ExchangeRate(day=day, currency="USD", rate=rate, recorded_at=timezone.now())
            )
        day += timedelta(days=1)
    ExchangeRate.objects.bulk_create(rows)


def copy_to_postgres(db: Path, server: str, url: str) -> None:
    """The SQLite store's parties and orders copied into their own PostgreSQL database, once.

    Migrated by Django, then filled with COPY, the orders' secondary indexes built after the
    rows and the foreign-key triggers off during the copy (session_replication_role: the rows
    come from a store whose constraints held).
    """
    import psycopg

    name = url.rsplit("/", 1)[1]
    tables = ("parties_party", "commerce_order")
    stamp = (db.parent / "ready").stat().st_mtime_ns  # the generation's (refreshes write the file)
    try:
        with psycopg.connect(url) as pg:
            ready = pg.execute("SELECT stamp FROM bench_ready").fetchone()
        if ready and ready[0] == stamp:
            return
    except psycopg.Error:
        pass
    started = time.perf_counter()
    fresh_postgres_database(server, name.removeprefix("clientela_bench_"))
    here = Path(__file__).resolve().parent
    env = {**os.environ, "CLIENTELA_DATABASE_URL": url, "CLIENTELA_HOME": str(db.parent),
           "DJANGO_SETTINGS_MODULE": "clientela.settings",
           "PYTHONPATH": str(here.parent / "src")}  # fmt: skip
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], env=env, check=True)
    lite = sqlite3.connect(db)
    with psycopg.connect(url) as pg:
        pg.execute("SET session_replication_role = replica")
        pg.execute("SET TIME ZONE 'UTC'")  # SQLite holds naive UTC text
        pg.execute("SET maintenance_work_mem = '512MB'")
        for table in tables:
            constraints = pg.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = %s::regclass AND contype = 'u'", [table],
            ).fetchall()  # fmt: skip
            for constraint, _definition in constraints:
                pg.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
            indexes = pg.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
                " AND indexname NOT LIKE %s", [table, "%_pkey"],
            ).fetchall()  # fmt: skip
            for index, _definition in indexes:
                pg.execute(f'DROP INDEX "{index}"')
            columns = [row[1] for row in lite.execute(f"PRAGMA table_info({table})")]
            names = ", ".join(f'"{c}"' for c in columns)
            cursor = lite.execute(f"SELECT {names} FROM {table}")
            with pg.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                while rows := cursor.fetchmany(100_000):
                    for row in rows:
                        copy.write_row(row)
            for constraint, definition in constraints:
                pg.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {definition}')
            for _index, definition in indexes:
                pg.execute(definition)
            pg.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
            print(f"copied {table} into {name}", file=sys.stderr)
        pg.execute("CREATE TABLE bench_ready (stamp bigint)")
        pg.execute("INSERT INTO bench_ready VALUES (%s)", [stamp])
        pg.commit()
    lite.close()
    with psycopg.connect(url, autocommit=True) as pg:
        pg.execute("VACUUM ANALYZE")
    print(f"copied in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def peak_rss_mib() -> float:
    """This process's own peak resident memory (VmHWM; ru_maxrss would count the parent's)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def child_refresh(db: Path, url: str | None) -> None:
    """Run in a child: refresh the day before, then time the refresh of the as-of day."""
    from datetime import timedelta

    _django(db, url)
    from django.core.management import call_command
    from django.db import connection, transaction

    from clientela.analytics.services.refresh import refresh_metrics

    # A store generated by an earlier version gets the analytics migrations since, and the
    # exchange rates' table (only those: other migrations could rebuild the orders table).
    call_command("migrate", "analytics", verbosity=0)
    call_command("migrate", "commerce", verbosity=0)
    add_rates()

    result: dict[str, object] = {}
    for label, day in (("first", AS_OF - timedelta(days=1)), ("daily", AS_OF)):
        started, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            run = refresh_metrics(as_of=day)
        result[label] = {
            "seconds": round(time.perf_counter() - started, 2),
            "cpu_seconds": round(time.process_time() - cpu, 2),
            "steps": run.timings,
            "customers": run.customers,
            "parties": run.parties,
            "lifecycle_changes": run.lifecycle_changes,
            "bgnbd": run.bgnbd,
        }
    connection.close()
    result["peak_rss_mib"] = peak_rss_mib()
    print(json.dumps(result))


EXPORT_PARQUET = r"""
import sqlite3, sys
import pyarrow as pa, pyarrow.parquet as pq
db, out = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db)
cur = con.execute("SELECT party_id, ordered_at, total, currency, status FROM commerce_order")
schema = pa.schema([("party_id", pa.int64()), ("ordered_at", pa.timestamp("us")),
                    ("total", pa.float64()), ("currency", pa.string()), ("status", pa.string())])
writer = pq.ParquetWriter(out, schema)
while rows := cur.fetchmany(1_000_000):
    cols = list(zip(*rows))
    stamps = pa.array(cols[1], pa.string()).cast(pa.timestamp("us"))
    arrays = [pa.array(cols[0], pa.int64()), stamps, pa.array(cols[2], pa.float64()),
              pa.array(cols[3]), pa.array(cols[4])]
    writer.write_table(pa.table(arrays, schema=schema))
writer.close()
"""

RUN_DUCKDB = r"""
import json, sys, time
from pathlib import Path
import duckdb

def peak_mib():
    lines = Path("/proc/self/status").read_text().splitlines()
    hwm = next(line for line in lines if line.startswith("VmHWM:"))
    return round(int(hwm.split()[1]) / 1024, 1)

con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
started, cpu = time.perf_counter(), time.process_time()
result = con.execute(sys.argv[1]).fetchnumpy()
out = {"seconds": round(time.perf_counter() - started, 2),
       "cpu_seconds": round(time.process_time() - cpu, 2),
       "customers": int(len(result["party_id"])), "peak_rss_mib": peak_mib()}
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=200_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/clientela-bench-analytics"))
    parser.add_argument("--duckdb-python", help="default: .bench/duckdb/bin/python")
    parser.add_argument(
        "--without-duckdb", action="store_true", help="Clientela's side only (no peer needed)"
    )
    parser.add_argument(
        "--src", type=Path, help="the code to measure (another checkout's src; default: this one)"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = args.workdir / f"{args.customers}x{args.orders}"
    db = work / "clientela.sqlite3"
    server = postgres_url()
    url = postgres_database(server, f"analytics_{work.name}") if server else None
    if args.child:
        child_refresh(db, url)
        return
    if not args.without_duckdb:
        args.duckdb_python = peer_python("duckdb", args.duckdb_python)
    load_before = round(os.getloadavg()[0], 1)
    work.mkdir(parents=True, exist_ok=True)
    if not (work / "ready").exists():
        db.unlink(missing_ok=True)
        started = time.perf_counter()
        _django(db)
        generate(db, args.customers, args.orders)
        (work / "ready").write_text(f"{time.perf_counter() - started:.0f} s\n")
    parquet = work / "orders.parquet"
    if not parquet.exists() and not args.without_duckdb:
        subprocess.run(
            [args.duckdb_python, "-c", EXPORT_PARQUET, str(db), str(parquet)], check=True
        )
    if server and url:
        copy_to_postgres(db, server, url)
    here = Path(__file__).resolve().parent
    src = (args.src or here.parent / "src").resolve()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(src), str(here)])}
    refresh = subprocess.run(
        [sys.executable, __file__, "--child", "--customers", str(args.customers),
         "--orders", str(args.orders), "--workdir", str(args.workdir)],
        check=True, capture_output=True, text=True, env=env,
    )  # fmt: skip
    refreshed = json.loads(refresh.stdout.strip().splitlines()[-1])
    print(json.dumps(refreshed), file=sys.stderr)
    daily = refreshed["daily"]
    aggregate = daily["steps"]["aggregate"]
    duckdb_result = {"seconds": None, "cpu_seconds": None, "peak_rss_mib": None}
    ratios = {"refresh_to_duckdb_ratio": None, "aggregation_to_duckdb_ratio": None}
    if not args.without_duckdb:
        until = date.fromordinal(AS_OF.toordinal() + 1).isoformat()
        sql = DUCKDB_SQL.format(parquet=parquet, until=until)
        duck = subprocess.run(
            [args.duckdb_python, "-c", RUN_DUCKDB, sql], check=True, capture_output=True, text=True
        )
        duckdb_result = json.loads(duck.stdout.strip().splitlines()[-1])
        ratios = {
            "refresh_to_duckdb_ratio": round(daily["seconds"] / duckdb_result["seconds"], 1),
            "aggregation_to_duckdb_ratio": round(aggregate / duckdb_result["seconds"], 1),
        }
    ratio = ratios["refresh_to_duckdb_ratio"]
    fast = daily["seconds"] <= 20 or (ratio is not None and ratio <= 10)
    print(
        json.dumps(
            {
                "benchmark": "analytics_refresh",
                "customers": args.customers,
                "orders": args.orders,
                "database": "postgresql" if server else "sqlite",
                "src": str(src),
                "refresh_seconds": daily["seconds"],
                "refresh_cpu_seconds": daily["cpu_seconds"],
                "refresh_steps": daily["steps"],
                "first_refresh_seconds": refreshed["first"]["seconds"],
                "lifecycle_changes": daily["lifecycle_changes"],
                "bgnbd": daily["bgnbd"],
                "refresh_peak_rss_mib": refreshed["peak_rss_mib"],
                "aggregation_seconds": aggregate,
                "duckdb_aggregation_seconds": duckdb_result["seconds"],
                "duckdb_aggregation_cpu_seconds": duckdb_result["cpu_seconds"],
                "duckdb_peak_rss_mib": duckdb_result["peak_rss_mib"],
                **ratios,
                "goal": "refresh <= 20 s or <= 10x DuckDB's aggregation; peak <= 2 GiB",
                "goal_met": fast and refreshed["peak_rss_mib"] <= 2048,
                "cpus": os.cpu_count(),
                "load_average_1min_before_after": [load_before, round(os.getloadavg()[0], 1)],
            },
        )
    )


if __name__ == "__main__":
    main()
