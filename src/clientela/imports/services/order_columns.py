"""The order import's column-wise check: a whole batch of CSV rows at once, a column at a time.

Each column is checked in one pass in C (a regular expression over the column's cells joined
by NUL, which no cell holds: the reader reports NULs; set membership for codes), so a batch of
common rows costs no Python call per cell. It accepts a subset of what the per-row check
(order_checks.compile_fast_check) accepts, with the same values: times written
`YYYY-MM-DDTHH:MM:SSZ`, plain amounts, exact codes, and ids with no surrounding space or
formula quote. A row it does not accept is named, and goes to the per-row check, and from
there to OrderCreate if need be.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from itertools import repeat
from operator import itemgetter

from clientela.commerce.models import OrderStatus, SalesChannel
from clientela.core.money import CURRENCIES
from clientela.imports.services.formats import ISO
from clientela.imports.services.mapping import Mapping

# An id: 1 to 100 characters, no space at either end (OrderCreate strips it), no leading quote
# (a neutralised formula cell, which the per-row path restores).
_ID = r"[^\s'\x00](?:[^\x00]{0,98}[^\s\x00])?"
# A UTC time as most exports write it; its date is checked against the calendar separately.
_AT = r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\dZ"
# An amount that is surely valid: up to 12 digits, up to 2 decimals (so at most MAX_AMOUNT).
_AMOUNT = r"\d{1,12}(?:\.\d{1,2})?"
_DATE = itemgetter(slice(0, 10))
_STATUSES = frozenset(OrderStatus.values) | {""}
_CHANNELS = frozenset(SalesChannel.values) | {""}

# (external ids, party external ids, ordered_at as SQLite stores it, totals as text,
#  currencies, statuses, channels)
Columns = tuple[
    Sequence[str],
    Sequence[str],
    Sequence[str],
    Sequence[str],
    Sequence[str],
    Sequence[str],
    Sequence[str],
]
ColumnCheck = Callable[[list[list[str]]], tuple[Columns | None, set[int]]]


def _column(
    pattern: str, flags: int = 0
) -> tuple[Callable[[str], object], Callable[[str], object]]:
    """Matchers for a whole NUL-joined column and for one cell."""
    whole = re.compile(f"(?:{pattern}\x00)*", flags).fullmatch
    one = re.compile(pattern, flags).fullmatch
    return whole, one


def _failing(
    cells: Sequence[str], whole: Callable[[str], object], one: Callable[[str], object]
) -> set[int]:
    """The positions of the cells that do not match (none, in one C pass, when all do)."""
    if not cells or whole("\x00".join(cells) + "\x00"):
        return set()
    return {i for i, cell in enumerate(cells) if not one(cell)}


def compile_column_check(mapping: Mapping) -> ColumnCheck | None:
    """A check of rows of exactly the header's width; None when the mapping has no fast path.

    The check gives the columns of the rows when every row passes, else the positions of
    those that do not (the caller sets them aside and checks the rest again).
    """
    i_ext, i_ref, i_at, i_total, i_currency = (
        mapping.index_of(t)
        for t in ("external_id", "party_external_id", "ordered_at", "total", "currency")
    )
    if None in (i_ext, i_ref, i_at, i_total, i_currency):
        return None
    if any(mapping.index_of(t) is not None for t in ("party_email", "party_id", "lines")):
        return None
    i_status, i_channel = mapping.index_of("status"), mapping.index_of("channel")
    getters = [itemgetter(i) for i in (i_ext, i_ref, i_at, i_total, i_currency)]
    # \s is every space str.strip() removes; \d only ASCII digits, as stored.
    ids, ats, amounts = _column(_ID), _column(_AT, re.ASCII), _column(_AMOUNT, re.ASCII)
    known_dates: set[str] = set()
    default_status, default_channel = OrderStatus.COMPLETED.value, SalesChannel.OTHER.value
    # Times and amounts as the file writes them (formats.py): a file of ISO times in UTC and
    # plain amounts costs nothing more; another has its whole column read first.
    formats = mapping.formats
    read_at = formats.converters["ordered_at"] if formats is not None else None
    read_total = formats.converters["total"] if formats is not None else None
    whole_at = formats is not None and formats.order("ordered_at") != ISO
    whole_total = formats is not None and formats.decimal("total") == ","

    def check(rows: list[list[str]]) -> tuple[Columns | None, set[int]]:
        n = len(rows)
        exts, refs, at, totals, currencies = (list(map(get, rows)) for get in getters)
        unread: set[int] = set()
        if whole_at and read_at is not None:
            unread |= _read_all(at, read_at)
        if whole_total and read_total is not None:
            unread |= _read_amounts(totals, read_total, currencies, range(n))
        statuses: Sequence[str] = (
            list(map(itemgetter(i_status), rows)) if i_status is not None else repeat("")  # type: ignore[assignment]  # an endless column of ""
        )
        channels: Sequence[str] = (
            list(map(itemgetter(i_channel), rows)) if i_channel is not None else repeat("")  # type: ignore[assignment]  # an endless column of ""
        )
        bad = _failing(exts, *ids) | _failing(refs, *ids) | unread
        odd_totals = _failing(totals, *amounts) - unread
        if odd_totals and read_total is not None and not whole_total:  # "$1,234.56"
            failed = _read_amounts(totals, read_total, currencies, odd_totals)
            odd_totals = failed | {i for i in odd_totals - failed if not amounts[1](totals[i])}
        bad |= odd_totals
        odd_ats = _failing(at, *ats) - unread
        if odd_ats and read_at is not None and not whole_at:  # "2024-03-01 10:00", no zone
            failed = _read_all(at, read_at, odd_ats)
            odd_ats = failed | {i for i in odd_ats - failed if not ats[1](at[i])}
        bad |= odd_ats
        if not CURRENCIES.issuperset(currencies):
            bad |= {i for i, c in enumerate(currencies) if c not in CURRENCIES}
        if i_status is not None and not _STATUSES.issuperset(statuses):
            bad |= {i for i, s in enumerate(statuses) if s not in _STATUSES}
        if i_channel is not None and not _CHANNELS.issuperset(channels):
            bad |= {i for i, c in enumerate(channels) if c not in _CHANNELS}
        bad |= _impossible_dates(at, known_dates, bad)
        if bad:
            return None, bad
        # Every time is `…T…Z` with no other T or Z: SQLite's stored text is a replace away.
        stored = ("\x00".join(at).replace("T", " ").replace("Z", "")).split("\x00") if n else []
        statuses = _with_default(statuses, default_status, n)
        channels = _with_default(channels, default_channel, n)
        return (exts, refs, stored, totals, currencies, statuses, channels), set()

    return check


def _impossible_dates(ats: Sequence[str], known: set[str], bad: set[int]) -> set[int]:
    """The positions of times whose date is not in the calendar (30 February)."""
    if bad:  # a time that is not even of the form has no date to look at
        ats = [at if i not in bad else "2000-01-01" for i, at in enumerate(ats)]
    dates = set(map(_DATE, ats)) - known
    wrong = set()
    for day in dates:
        try:
            date.fromisoformat(day)
        except ValueError:
            wrong.add(day)
        else:
            known.add(day)
    if not wrong:
        return set()
    return {i for i, at in enumerate(ats) if at[:10] in wrong}


def _with_default(values: Sequence[str] | repeat[str], default: str, n: int) -> Sequence[str]:
    """The column with its empty cells given the field's default."""
    if isinstance(values, repeat):
        return [default] * n
    if "" in values:
        return [v or default for v in values]
    return values


def _read_all(
    cells: list[str], read: Callable[[str], str], only: Iterable[int] | None = None
) -> set[int]:
    """Read the cells (or those at `only`) in the file's format, in place; the positions of
    those that cannot be read (left as they were)."""
    failed = set()
    for i in range(len(cells)) if only is None else only:
        try:
            cells[i] = read(cells[i])
        except ValueError:  # formats' Problem is one
            failed.add(i)
    return failed


def _read_amounts(
    cells: list[str],
    read: Callable[[str], tuple[str, frozenset[str] | None]],
    currencies: Sequence[str],
    only: Iterable[int],
) -> set[int]:
    """Read the amounts at `only` as the file writes them, in place; the positions of those
    that cannot be read, or whose sign is not their row's currency."""
    failed = set()
    for i in only:
        try:
            text, signs = read(cells[i])
        except ValueError:  # the money rule's Problem is one
            failed.add(i)
            continue
        if signs is not None and currencies[i] not in signs:
            failed.add(i)
            continue
        cells[i] = text
    return failed
