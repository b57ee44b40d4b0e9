"""Hot, fixed-shape ORM reads compiled to SQL once per process, then run with new values.

Turning a queryset into SQL (select list, joins, lookups, ordering) costs Django about
0.3-0.5 ms of CPU per query: several times what SQLite takes to answer the indexed reads behind
the API's party record and timeline (docs/benchmarks.md, "Customer 360"). `rows()` builds the
queryset with stand-in values once per shape and database, keeps the SQL text with its
placeholders and the columns' converters, and afterwards only binds the real values and runs it.

The queryset is still built by ordinary ORM code (access rules included); only its compilation
is reused. `key` must name everything that changes the SQL's shape besides the values passed
(a role, how many channels, whether there is a cursor, the limit): values are bound as
parameters, anything else the builder reads is baked into the SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

Value = int | str | datetime


@dataclass(frozen=True)
class _Compiled:
    sql: str  # empty: the query can match nothing (e.g. an inactive user's .none())
    slots: tuple[tuple[str | None, Any], ...]  # per parameter: value name, or None and a constant
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # column, converters, expression


_COMPILED: dict[tuple[Hashable, str, str], _Compiled] = {}


def _stand_in(name: str, value: Value, n: int) -> Value:
    """A value of the same type that no real call passes, to find where it lands."""
    if isinstance(value, bool):
        raise TypeError(f"{name}: booleans are part of the shape; put them in the key")
    if isinstance(value, int):
        return 7_340_000_000_000_000_000 + n  # below 2**63: any integer column takes it
    if isinstance(value, str):
        return f"\x00prepared:{name}\x00"
    if isinstance(value, datetime):
        return datetime(1901, 2, 3, 4, 5, n % 60, 7000 + n, tzinfo=UTC)
    raise TypeError(f"{name}: {type(value).__name__} values cannot be prepared")


def _adapt(value: Value, connection: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _compile(
    build: Callable[..., QuerySet[Any]], values: Mapping[str, Value], using: str
) -> _Compiled:
    connection = connections[using]
    stand_ins = {name: _stand_in(name, v, n) for n, (name, v) in enumerate(values.items())}
    queryset = build(**stand_ins)
    compiler = queryset.query.get_compiler(using=using)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return _Compiled(sql="", slots=(), converters=())
    by_param = {_adapt(v, connection): name for name, v in stand_ins.items()}
    slots = tuple(
        (by_param[p], None) if _hashable(p) and p in by_param else (None, p) for p in params
    )
    unbound = set(values) - {name for name, _ in slots if name is not None}
    inlined = sorted(name for name in unbound if str(stand_ins[name]) in sql)
    if inlined:  # a value written into the SQL text would be reused for every later call
        raise ValueError(f"prepared query: {inlined} written into the SQL, not bound")
    fields = [s[0] for s in compiler.select[: compiler.col_count]]
    converters = tuple(
        (pos, tuple(convs), expression)
        for pos, (convs, expression) in compiler.get_converters(fields).items()
    )
    return _Compiled(sql=sql, slots=slots, converters=converters)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def rows(
    key: Hashable,
    build: Callable[..., QuerySet[Any]],
    values: Mapping[str, Value],
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> list[tuple[Any, ...]]:
    """The rows of `build(**values)` (a values_list() queryset), compiled once per key.

    `values` (ints, strings, aware datetimes) are bound as query parameters (a value the query
    does not use is ignored; one written into the SQL text is refused); anything else that
    shapes the query belongs in `key`.
    """
    connection = connections[using]
    cache_key = (key, using, connection.vendor)
    compiled = _COMPILED.get(cache_key)
    if compiled is None:
        compiled = _COMPILED[cache_key] = _compile(build, values, using)
    if not compiled.sql:
        return []
    params = [
        _adapt(values[name], connection) if name is not None else constant
        for name, constant in compiled.slots
    ]
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, params)
        fetched = cursor.fetchall()
    if not compiled.converters:
        return [tuple(r) for r in fetched]
    result = []
    for raw in fetched:
        row = list(raw)
        for pos, convs, expression in compiled.converters:
            value = row[pos]
            for convert in convs:
                value = convert(value, expression, connection)
            row[pos] = value
        result.append(tuple(row))
    return result
