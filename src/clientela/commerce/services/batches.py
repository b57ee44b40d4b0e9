"""Many orders from NDJSON (the API's orders/bulk): checked, then written a batch at a time."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any

from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from clientela.accounts.models import User
from clientela.accounts.services import require_write
from clientela.commerce.models import Order
from clientela.commerce.schemas import BulkResult, OrderCreate
from clientela.commerce.services.orders import (
    OrderContent,
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
    visible_among,
)
from clientela.core.errors import FieldError, Invalid
from clientela.core.validation import field_errors, nul_error
from clientela.parties.queries import visible_parties

BATCH = 2000
KEPT_ERRORS = 1000
SHOWN_LINES = 20

Item = tuple[int, dict[str, Any] | FieldError]


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
    while batch := list(islice(iterator, BATCH)):
        writes = _check_batch(batch, by, tally)
        if skip_invalid or not tally.errors:  # else keep checking, to report every problem
            insert_orders(list(writes.fresh.values()))
            for pk, (order, party_id) in writes.replaced.items():
                replace_order(pk, order, party_id)
    errors = sorted(tally.errors, key=lambda e: e.line or 0)  # stable: a line keeps its order
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
