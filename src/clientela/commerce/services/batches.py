"""Many orders from NDJSON (the API's orders/bulk): every line checked first, then written.

The check reads the database and writes nothing; what passed is kept in a temporary file
(pickled batches), so memory stays flat whatever the request's size. Then it is written in
slices of about a quarter of a second, each its own transaction on SQLite (core.database:
other writers get their turn between two slices) and all of them one transaction on
PostgreSQL. A request that fails while writing (an error, or another request that wrote one of
its external ids with other content in between) takes back what it wrote: the orders it made
are deleted and those it replaced get their content back. The service owns its transactions.
"""

from __future__ import annotations

import json
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import IO, Any

from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from clientela.accounts.models import User
from clientela.accounts.services import require_write
from clientela.commerce.models import Order
from clientela.commerce.schemas import BulkResult, OrderCreate
from clientela.commerce.services.orders import (
    OrderContent,
    Undo,
    changed_fields,
    conflict_error,
    content_of,
    insert_orders,
    party_not_visible,
    party_of,
    party_reference,
    replace_order,
    resolve_parties,
    stored_content,
    undo_writes,
    visible_among,
)
from clientela.core.database import SliceClock, long_write, takes_turns
from clientela.core.errors import Conflict, FieldError, Invalid
from clientela.core.validation import field_errors, nul_error
from clientela.parties.queries import visible_parties

BATCH = 2000
KEPT_ERRORS = 1000
SHOWN_LINES = 20

Item = tuple[int, dict[str, Any] | FieldError]
# What to write for one line: the stored order it replaces (None: a new one), the order, its party.
Entry = tuple[int | None, OrderCreate, int]


def parse_ndjson(lines: Iterable[bytes | str]) -> Iterator[Item]:
    """Each non-blank line as (line number, object) or (line number, the reason it is not one)."""
    for number, raw in enumerate(lines, start=1):
        if isinstance(raw, bytes):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                shown = raw[:80].decode("utf-8", errors="replace")
                not_utf8 = FieldError(
                    "body",
                    shown,
                    _("is not UTF-8 text (bad byte at column %(column)s)"),
                    code="ndjson_not_utf8",
                    params={"column": exc.start + 1},
                    line=number,
                )
                yield number, not_utf8
                continue
        else:
            text = raw
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            not_json = FieldError(
                "body",
                text[:80],
                _("is not valid JSON (error at column %(column)s)"),
                code="ndjson_not_json",
                params={"column": exc.colno},
                line=number,
            )
            yield number, not_json
            continue
        if "\\u0000" in text:  # how JSON writes a NUL; without it the line holds none
            nul = nul_error(value, line=number)
            if nul is not None:
                yield number, nul
                continue
        if not isinstance(value, dict):
            not_object = FieldError(
                "body", text[:80], _("must be a JSON object"), code="ndjson_not_object", line=number
            )
            yield number, not_object
            continue
        yield number, value


@dataclass
class _Known:
    """An external id seen in the database or earlier in the request: its order's id (None
    until written), its content, whether its party is one the user may see, and whether an
    upsert may replace it (it may, when its party is seen)."""

    pk: int | None
    content: OrderContent
    replaceable: bool
    seen: bool = True


@dataclass
class _Tally:
    """The counts and problems of a bulk write so far, and every external id it has seen."""

    upsert: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[FieldError] = field(default_factory=list)
    known: dict[str, _Known] = field(default_factory=dict)


@dataclass
class _Writes:
    """What a batch writes: new orders by external id, and stored orders replaced by id."""

    fresh: dict[str, tuple[OrderCreate, int]] = field(default_factory=dict)
    replaced: dict[int, tuple[OrderCreate, int]] = field(default_factory=dict)


def record_orders_bulk(
    items: Iterable[Item], *, by: User, skip_invalid: bool = False, upsert: bool = False
) -> BulkResult:
    """Record many orders, idempotent by external id.

    All-or-nothing unless skip_invalid: then the valid lines are written and every rejected line
    is reported with its number and reason. An order whose external id is known with other
    content is a conflict, or with `upsert` replaces the stored one (when its party is one the
    user may see). The adapter owns the transaction.
    """
    require_write(by)
    tally = _Tally(upsert=upsert)
    iterator = iter(items)
    with tempfile.TemporaryFile() as spool:
        kept = 0
        while batch := list(islice(iterator, BATCH)):
            writes = _check_batch(batch, by, tally)
            if skip_invalid or not tally.errors:  # else keep checking, to report every problem
                pickle.dump(writes, spool, protocol=pickle.HIGHEST_PROTOCOL)
                kept += 1
        errors = sorted(tally.errors, key=lambda e: e.line or 0)  # stable: a line keeps its order
        if not errors or skip_invalid:
            spool.seek(0)
            _write_all(spool, kept, tally)
    if errors and not skip_invalid:
        lines = sorted({e.line for e in errors if e.line is not None})
        shown = ", ".join(map(str, lines[:SHOWN_LINES])) + (
            " …" if len(lines) > SHOWN_LINES else ""
        )
        # One message for any count: core.errors renders a message id, not a plural form.
        raise Invalid(
            errors[:KEPT_ERRORS],
            _("%(count)s invalid line(s) (%(lines)s); nothing was written"),
            code="orders_bulk_invalid",
            params={"count": len(lines), "lines": shown},
        )
    return BulkResult(
        created=tally.created,
        updated=tally.updated,
        unchanged=tally.unchanged,
        rejected=len({e.line for e in errors}),
        errors=[e.as_dict() for e in errors[:KEPT_ERRORS]],
    )


def _write_all(spool: IO[bytes], batches: int, tally: _Tally) -> None:
    """Write the checked batches kept in the spool, in slices; on failure take back what was
    written (SQLite; on PostgreSQL the one transaction rolls back)."""
    undo = Undo()
    clock = SliceClock(500)
    try:
        with long_write():
            for _ in range(batches):
                writes: _Writes = pickle.load(spool)  # noqa: S301  (our own temporary file)
                entries: list[Entry] = [(None, *v) for v in writes.fresh.values()]
                entries += [(pk, *v) for pk, v in writes.replaced.items()]
                start = 0
                while start < len(entries):
                    part = entries[start : start + clock.size()]
                    with clock.slice():
                        written = _write_slice(part, tally)
                    undo.add(written)  # committed: now it is this request's to take back
                    start += len(part)
    except BaseException:
        if takes_turns():
            undo_writes(undo)
        raise


def _write_slice(entries: list[Entry], tally: _Tally) -> Undo:
    """Write new orders and replacements, in the caller's transaction. A new order whose
    external id another request has written since the check is the same order (counted
    unchanged) or a conflict, which stops the whole request. Returns how to take it back."""
    undo = Undo()
    fresh = {o.external_id: (o, party_id) for pk, o, party_id in entries if pk is None}
    if fresh:
        found = Order.objects.prefetch_related("lines").filter(external_id__in=list(fresh))
        for stored in found:
            order, party_id = fresh.pop(stored.external_id)
            changed = changed_fields(stored_content(stored), content_of(order, party_id))
            if changed:
                raise Conflict(
                    _(
                        "external_id %(external_id)s was written by another request, with "
                        "other content, while this one was being written; nothing of this "
                        "request was kept: send it again"
                    ),
                    code="orders_bulk_conflict_while_writing",
                    params={"external_id": stored.external_id},
                    errors=[conflict_error(stored.external_id, changed)],
                )
            tally.created -= 1
            tally.unchanged += 1
        undo.created += [o.pk for o in insert_orders(list(fresh.values()))]
    replaced = {pk: (o, party_id) for pk, o, party_id in entries if pk is not None}
    if replaced:
        before = Order.objects.prefetch_related("lines").filter(pk__in=list(replaced))
        undo.replaced += [(o.pk, stored_content(o)) for o in before]
        for pk, (order, party_id) in replaced.items():
            replace_order(pk, order, party_id)
    return undo


def _check_batch(batch: list[Item], by: User, tally: _Tally) -> _Writes:
    """Check a batch's lines against the rules and what is stored; returns what to write."""
    parsed = _validate_lines(batch, tally.errors)
    by_id, by_ref = resolve_parties(by, (o for _n, o in parsed))
    _load_known(by, {o.external_id for _n, o in parsed} - tally.known.keys(), tally)
    writes = _Writes()
    for number, order in parsed:
        party_id = party_of(order, by_id, by_ref)
        if party_id is None:
            tally.errors.append(party_not_visible(*party_reference(order), line=number))
            continue
        content = content_of(order, party_id)
        known = tally.known.get(order.external_id)
        if known is None:
            writes.fresh[order.external_id] = (order, party_id)
            tally.known[order.external_id] = _Known(None, content, replaceable=True)
            tally.created += 1
            continue
        changed = changed_fields(known.content, content)
        if not changed:
            tally.unchanged += 1
        elif not (tally.upsert and known.replaceable):
            error = conflict_error(order.external_id, changed, line=number, seen=known.seen)
            tally.errors.append(error)
        else:
            if known.pk is None:  # sent earlier in this request: the later line wins
                writes.fresh[order.external_id] = (order, party_id)
            else:
                writes.replaced[known.pk] = (order, party_id)
            known.content = _merged(known.content, content)
            tally.updated += 1
    return writes


def _load_known(by: User, external_ids: set[str], tally: _Tally) -> None:
    """Remember the stored orders of these external ids (and which an upsert may replace)."""
    if not external_ids:
        return
    stored = list(Order.objects.filter(external_id__in=external_ids).prefetch_related("lines"))
    seen = visible_among(visible_parties(by), {o.party_id for o in stored})
    for order in stored:
        is_seen = order.party_id in seen
        tally.known[order.external_id] = _Known(
            order.pk, stored_content(order), replaceable=tally.upsert and is_seen, seen=is_seen
        )


def _merged(known: OrderContent, content: OrderContent) -> OrderContent:
    """The content after a replacement: lines not sent stay as they were."""
    return content if content.lines is not None else content._replace(lines=known.lines)


def _validate_lines(batch: list[Item], errors: list[FieldError]) -> list[tuple[int, OrderCreate]]:
    parsed: list[tuple[int, OrderCreate]] = []
    for number, item in batch:
        if isinstance(item, FieldError):
            errors.append(item if item.line is not None else replace(item, line=number))
            continue
        try:
            parsed.append((number, OrderCreate.model_validate(item)))
        except ValidationError as exc:
            errors.extend(replace(e, line=number) for e in field_errors(exc))
    return parsed
