"""Writing the metrics back: every party's row replaced in bulk, in the refresh's transaction.

The columns come as Python lists (one value per party, None for NULL), made from the refresh's
NumPy arrays with as little per-value Python work as possible: a million parties means 24
million values. SQLite takes them in multi-row INSERT statements; PostgreSQL through COPY, after
a TRUNCATE instead of a DELETE (no dead row versions left to vacuum; both take the same
exclusive lock that dropping the indexes already holds until the commit).
"""

from __future__ import annotations

import sqlite3
import time as clock
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import connection

from clientela.analytics.models import CustomerMetrics
from clientela.core.indexes import drop_secondary_indexes

IntArray = npt.NDArray[np.int64]
BATCH = 20_000  # rows turned into parameters at a time
ROWS_PER_INSERT = 500
COLUMNS = (
    "party_id", "as_of", "computed_at", "currency", "occasions", "frequency", "recency_days",
    "active_span_days", "tenure_days", "monetary", "average_repeat_value", "first_purchase_at",
    "last_purchase_at", "r_score", "f_score", "m_score", "rfm_segment", "p_alive",
    "expected_purchases", "expected_spend", "clv", "tier", "lifecycle_state", "state_since",
    "unconverted_orders",
)  # fmt: skip


def nullable(values: npt.ArrayLike, *, digits: int | None = None) -> list[Any]:
    """Python floats with None for NaN, rounded to `digits` decimals if given."""
    array = np.asarray(values, dtype=np.float64)
    if digits is not None:
        array = np.round(array, digits)
    return _with_none(array.tolist(), np.isnan(array))


def integers(values: npt.ArrayLike) -> list[int | None]:
    """Python ints (truncated towards zero) with None for NaN."""
    array = np.asarray(values, dtype=np.float64)
    missing = np.isnan(array)
    return _with_none(np.where(missing, 0, array).astype(np.int64).tolist(), missing)


def dates(days: npt.ArrayLike, *, missing: int | None = None) -> list[str | None]:
    """ISO dates of day numbers (days since 1970-01-01), None where the day is `missing`.

    Each distinct day is formatted once: a million parties have bought on a few thousand days.
    """
    array = np.asarray(days, dtype=np.int64)
    absent = array == missing if missing is not None else np.zeros(array.size, dtype=bool)
    known = array[~absent]
    if not known.size:
        return [None] * array.size
    low, high = int(known.min()), int(known.max())
    if high - low >= array.size:  # days spread too thin to be worth a table
        text = np.datetime_as_string(np.where(absent, 0, array).astype("datetime64[D]"))
        return _with_none(text.tolist(), absent)
    table = np.datetime_as_string(np.arange(low, high + 1).astype("datetime64[D]"))
    names = table.astype(object)
    return _with_none(names[np.where(absent, 0, array - low)].tolist(), absent)


def _with_none(values: list[Any], missing: npt.NDArray[np.bool_]) -> list[Any]:
    for i in np.flatnonzero(missing).tolist():
        values[i] = None
    return values


def _flat(columns: dict[str, Any], start: int, stop: int) -> list[Any]:
    """Rows start..stop as one flat list of values, row after row, in COLUMNS order."""
    width, size = len(COLUMNS), stop - start
    flat: list[Any] = [None] * (width * size)
    for j, name in enumerate(COLUMNS):
        value = columns[name]
        flat[j::width] = value[start:stop] if isinstance(value, list) else [value] * size
    return flat


def _insert_sql(rows: int) -> str:
    q = connection.ops.quote_name
    names = ", ".join(q(c) for c in COLUMNS)
    row = "(" + ", ".join(["%s"] * len(COLUMNS)) + ")"
    values = ", ".join([row] * rows)
    return f"INSERT INTO {q(CustomerMetrics._meta.db_table)} ({names}) VALUES {values}"  # noqa: S608  (a quoted table name; values are parameters)


def _parameter_limit() -> int:
    """How many parameters one statement may bind (Django assumes SQLite's old 999)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        getlimit = getattr(connection.connection, "getlimit", None)  # Python 3.11+
        if getlimit is not None:
            return int(getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return connection.features.max_query_params or 65_535


def _insert(cursor: Any, columns: dict[str, Any], n: int) -> None:
    """Insert every row, many rows per INSERT statement (as many as the bound-parameter limit
    allows, up to ROWS_PER_INSERT): one statement step per row is most of the cost otherwise."""
    width = len(COLUMNS)
    limit = _parameter_limit()
    per = max(1, min(ROWS_PER_INSERT, limit // width))
    step, batch = per * width, per * max(1, BATCH // per)
    full = _insert_sql(per)
    for start in range(0, n, batch):
        flat = _flat(columns, start, min(start + batch, n))
        whole = len(flat) // step * step
        if whole:
            cursor.executemany(full, [flat[i : i + step] for i in range(0, whole, step)])
        if whole < len(flat):
            cursor.execute(_insert_sql((len(flat) - whole) // width), flat[whole:])


def _copy(cursor: Any, columns: dict[str, Any]) -> None:
    """PostgreSQL: every row through one COPY FROM STDIN (psycopg formats the values in C).

    The columns that hold one value for every row (as-of day, computed-at time, currency) are
    the columns' defaults for the copy's length instead of 3 million values to format and parse:
    a third less time for the copy here. (The table is locked exclusively already: its indexes
    were dropped in this transaction.)
    """
    from psycopg import sql  # PostgreSQL only

    table = sql.Identifier(CustomerMetrics._meta.db_table)
    constant = [name for name in COLUMNS if not isinstance(columns[name], list)]
    varying = [name for name in COLUMNS if isinstance(columns[name], list)]
    alter = "ALTER TABLE {} " + ", ".join(["ALTER COLUMN {} SET DEFAULT {}"] * len(constant))
    if constant:
        defaults = [
            part for name in constant for part in (sql.Identifier(name), sql.Literal(columns[name]))
        ]
        cursor.execute(sql.SQL(alter).format(table, *defaults).as_string(cursor.cursor))
    names = sql.SQL(", ").join(sql.Identifier(name) for name in varying)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(table, names)
    with cursor.cursor.copy(statement) as copy:
        for row in zip(*(columns[name] for name in varying), strict=True):
            copy.write_row(row)
    if constant:
        drop = "ALTER TABLE {} " + ", ".join(["ALTER COLUMN {} DROP DEFAULT"] * len(constant))
        cursor.execute(
            sql.SQL(drop).format(table, *map(sql.Identifier, constant)).as_string(cursor.cursor)
        )


def write(columns: dict[str, Any], n: int) -> float:
    """Replace every row: drop the secondary indexes, insert in batches, build them again.

    Building an index once over a million sorted keys is many times faster than updating it a
    million times in random order; inside the transaction, readers never see it missing.
    """
    q = connection.ops.quote_name
    table = CustomerMetrics._meta.db_table
    with connection.cursor() as cursor:
        indexes = drop_secondary_indexes(cursor, table)
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {q(table)}")
            _copy(cursor, columns)
        else:
            cursor.execute(f"DELETE FROM {q(table)}")  # noqa: S608  (a quoted table name; values are parameters)
            _insert(cursor, columns, n)
        # (The table has no foreign-key constraint, so no deferred check is pending on it:
        # PostgreSQL would refuse to build an index on a table with one.)
        started = clock.perf_counter()
        for create in indexes:
            cursor.execute(create)
        return clock.perf_counter() - started


def replace_rows(columns: dict[str, Any], n: int, party_ids: list[int]) -> None:
    """Replace the rows of some parties (a customer updated between refreshes): those of
    `party_ids` are deleted, the `n` rows of `columns` inserted, indexes kept up to date."""
    q = connection.ops.quote_name
    table = q(CustomerMetrics._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(party_ids), 900):
            part = party_ids[start : start + 900]
            cursor.execute(
                f"DELETE FROM {table} WHERE {q('party_id')} IN ({', '.join(['%s'] * len(part))})",  # noqa: S608  (a quoted table name; values are parameters)
                part,
            )
        if n:
            _insert(cursor, columns, n)
