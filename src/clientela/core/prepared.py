"""Hot, fixed-shape ORM reads compiled to SQL once per process, then run with new values.

Turning a queryset into SQL (select list, joins, lookups, ordering) costs Django about
0.3-0.5 ms of CPU per query: several times what SQLite takes to answer the indexed reads behind
the API's party record and timeline (docs/benchmarks.md, "Customer 360"). `rows()` builds the
queryset with stand-in values once per shape and database, keeps the SQL text with its
placeholders and the columns' converters, and afterwards only binds the real values and runs it.

The queryset is still built by ordinary ORM code; only its compilation is reused. So the key
must name everything that shapes the SQL besides the values passed, and a key written by hand
can fall behind the code it describes. Where a filter depends on data, as an access rule
depends on the user, do not key it by hand: `split()` takes the filter (a `Q`) apart into its
shape, which becomes the key, and its values, which are bound. Whatever a rule reads and
however it branches, what it decides is in the `Q` it returns, so a changed rule or a user
whose fields lead to another filter gets its own compiled query. A filter `split()` cannot
take apart (expressions, subqueries) and a value the SQL does not take as it is (see
`NotPrepared`) are not cached: the caller runs its queryset through the ORM instead.

Django has no public API for reusing a compiled query. This module uses, in `_compile` only:
`QuerySet.query.get_compiler(using).as_sql()` (the documented entry of query expressions), and
the compiler's `select`, `col_count` and `get_converters()` to turn raw rows into the Python
values the ORM would give (datetimes, JSON, decimals). Those three are private; Django is held
to one feature release (pyproject: `django>=5.2,<5.3`) and tests/core/test_prepared.py
compares prepared rows with the ORM's for each kind of column, so a release that changes them
fails the tests instead of returning raw values.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q, QuerySet

Value = int | str | datetime | date
MAX_LIST = 16  # the longest list a split filter binds item by item; longer ones are not cached


class NotPrepared(ValueError):
    """A value the SQL does not take as it was passed (written into the text, or changed, as
    `icontains` wraps it in %…%): reusing the SQL would reuse that value for every call."""


@dataclass(frozen=True)
class _Compiled:
    sql: str  # empty: the query can match nothing (e.g. a filter on an empty list)
    slots: tuple[tuple[str | None, Any], ...]  # per parameter: value name, or None and a constant
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]  # column, converters, expression


_COMPILED: dict[tuple[Hashable, str, str], _Compiled | NotPrepared] = {}


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
    if isinstance(value, date):
        return date(1901, 3, 1) + timedelta(days=n)
    raise TypeError(f"{name}: {type(value).__name__} values cannot be prepared")


def _adapt(value: Value, connection: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


def _compile(
    build: Callable[..., QuerySet[Any]], values: Mapping[str, Value], using: str
) -> _Compiled | NotPrepared:
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
    constants = [c for name, c in slots if name is None and isinstance(c, str)]
    misplaced = sorted(
        name
        for name in unbound
        if (shown := str(stand_ins[name])) in sql or any(shown in c for c in constants)
    )
    if misplaced:  # a value not bound as it is would be reused for every later call
        return NotPrepared(f"prepared query: {misplaced} not bound as parameters")
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

    `values` (ints, strings, aware datetimes, dates) are bound as query parameters (a value the
    query does not use is ignored; one the SQL does not take as it is raises NotPrepared);
    anything else that shapes the query belongs in `key`.
    """
    connection = connections[using]
    cache_key = (key, using, connection.vendor)
    compiled = _COMPILED.get(cache_key)
    if compiled is None:
        compiled = _COMPILED[cache_key] = _compile(build, values, using)
    if isinstance(compiled, NotPrepared):
        raise NotPrepared(*compiled.args)  # a new one each time: a raised one keeps its frames
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


class _NotSplittable(Exception):
    pass


@dataclass(frozen=True)
class Filter:
    """A `Q` taken apart: its shape (a key for `rows`) and its values (bound when it runs)."""

    shape: Hashable
    values: dict[str, Value]
    _rebuild: Callable[[Mapping[str, Any]], Q]

    def rebuild(self, values: Mapping[str, Any]) -> Q:
        """The same filter with these values (the stand-ins `rows` passes to its builder)."""
        return self._rebuild(values)


def split(q: Q, *, prefix: str) -> Filter | None:
    """`q` as shape and values, or None when it holds anything but lookups of plain values.

    The shape keeps every connector, negation and lookup, and which lookups compare with None
    or a boolean (they change the SQL: IS NULL, a constant); ints, strings and datetimes, and
    lists of up to MAX_LIST of them, become values named `prefix` + a number. Expressions,
    subqueries, model instances and other values make it None: such a filter is not cached.
    """
    values: dict[str, Value] = {}
    try:
        shape, rebuild = _take_apart(q, values, prefix)
    except _NotSplittable:
        return None
    return Filter(shape=shape, values=values, _rebuild=rebuild)


def _take_apart(
    node: Any, values: dict[str, Value], prefix: str
) -> tuple[Hashable, Callable[[Mapping[str, Any]], Any]]:
    if isinstance(node, Q):
        parts = [_take_apart(child, values, prefix) for child in node.children]
        connector, negated = node.connector, node.negated

        def rebuild_q(bound: Mapping[str, Any]) -> Q:
            children = [rebuild(bound) for _, rebuild in parts]
            return Q(*children, _connector=connector, _negated=negated)

        return ("Q", connector, negated, tuple(shape for shape, _ in parts)), rebuild_q
    if not (isinstance(node, tuple) and len(node) == 2 and isinstance(node[0], str)):
        raise _NotSplittable
    lookup, value = node
    if value is None or isinstance(value, bool):
        return (lookup, value), lambda bound: (lookup, value)
    if _bindable(value):
        name = _bind(value, values, prefix)
        return (lookup, type(value).__name__), lambda bound: (lookup, bound[name])
    if isinstance(value, list | tuple) and len(value) <= MAX_LIST and all(map(_bindable, value)):
        names = [_bind(item, values, prefix) for item in value]
        kinds = tuple(type(item).__name__ for item in value)
        return (lookup, "list", kinds), lambda bound: (lookup, [bound[n] for n in names])
    raise _NotSplittable


def _bindable(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | str | datetime)


def _bind(value: Value, values: dict[str, Value], prefix: str) -> str:
    name = f"{prefix}{len(values)}"
    values[name] = value
    return name
