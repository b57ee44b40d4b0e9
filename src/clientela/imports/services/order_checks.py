"""The per-row checks of an order import: a compiled check of one CSV row, and OrderCreate's.

The rules are OrderCreate's (the API's). The fast check accepts only what OrderCreate accepts,
with the same result (tests hold the two side by side); any row it does not accept is handed to
OrderCreate itself, which gives the verdict and the reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError

from clientela.commerce.models import OrderStatus, SalesChannel
from clientela.commerce.schemas import OrderCreate
from clientela.core.errors import FieldError
from clientela.core.money import CURRENCIES, parse_amount
from clientela.core.validation import field_errors, nul_error
from clientela.imports.services.mapping import Mapping
from clientela.imports.services.rows import STAND_IN_PARTY, RowProblem, problems_from

PARTY_REFS = ("party_external_id", "party_email", "party_id")
# What both datetime.fromisoformat and pydantic read the same way: an ISO date and time with
# seconds optional, up to six decimals, and a Z or ±HH:MM offset.
_ISO = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d:\d\d)$", re.ASCII)
# Amounts that need no Decimal to be known valid: up to 12 digits, up to 2 decimals.
_PLAIN_AMOUNT = re.compile(r"^\d{1,12}(\.\d{1,2})?$", re.ASCII)
_PLAIN_INTEGER = re.compile(r"^\d{1,12}$", re.ASCII)
_STATUSES = frozenset(OrderStatus.values)
_CHANNELS = frozenset(SalesChannel.values)

# (external_id, ordered_at, total, currency, status, channel, party reference or None,
#  ordered_at as SQLite stores it when it could be had without conversion)
OrderValues = tuple[str, datetime, Decimal | str, str, str, str, str | None, str | None]


def compile_fast_check(
    mapping: Mapping, *, with_party: bool = True
) -> Callable[[list[str]], OrderValues | None]:
    """A function that checks one CSV row's cells; None means "ask OrderCreate".

    With one party column, party_external_id, its value comes back last; with another party
    column, or several, rows take the slow path, which finds the party in every way.
    """
    i_ext = mapping.index_of("external_id")
    i_at = mapping.index_of("ordered_at")
    i_total = mapping.index_of("total")
    i_cur = mapping.index_of("currency")
    i_status = mapping.index_of("status")
    i_channel = mapping.index_of("channel")
    i_ref = mapping.index_of("party_external_id")
    other_refs = [mapping.index_of(t) for t in ("party_email", "party_id")]
    if i_ext is None or i_at is None or i_total is None or i_cur is None:
        return lambda cells: None
    if with_party and (i_ref is None or any(i is not None for i in other_refs)):
        return lambda cells: None
    width = len(mapping.columns)
    match_iso = _ISO.match
    match_plain = _PLAIN_AMOUNT.match
    # Times and amounts as the file writes them (formats.py), read when they are not plain.
    formats = mapping.formats
    read_at = formats.converters["ordered_at"] if formats is not None else None
    read_total = formats.converters["total"] if formats is not None else None
    if formats is not None and formats.decimal("total") == ",":  # "12.50" is not plain there
        match_plain = _PLAIN_INTEGER.match
    fromiso = datetime.fromisoformat
    currencies = CURRENCIES
    statuses, channels = _STATUSES, _CHANNELS
    default_status, default_channel = OrderStatus.COMPLETED.value, SalesChannel.OTHER.value

    def check(cells: list[str]) -> OrderValues | None:
        if len(cells) != width:
            return None
        ext = cells[i_ext].strip()
        at = cells[i_at].strip()
        currency = cells[i_cur].strip()
        status = cells[i_status] if i_status is not None else ""
        channel = cells[i_channel] if i_channel is not None else ""
        ref = cells[i_ref].strip() if i_ref is not None else None
        if not ext or len(ext) > 100 or ext[0] == "'" or currency not in currencies:
            return None
        if ref is not None and (not ref or len(ref) > 100 or ref[0] == "'"):
            return None
        total = cells[i_total].strip()
        try:
            if not match_iso(at) and (read_at is None or not match_iso(at := read_at(at))):
                return None
            moment = fromiso(at)
            if match_plain(total):
                amount: Decimal | str = total  # surely valid: kept as text, as SQLite stores it
            elif read_total is not None:  # "1.234,56 €": the sign must be the row's currency
                amount, signs = read_total(total)
                if signs is not None and currency not in signs:
                    return None
            else:  # "1.5e2" and the like: the money rule itself, as OrderCreate applies it
                amount = str(parse_amount(total))
        except ValueError:  # parse_amount's Problem is one
            return None
        # The common "2024-03-01T10:00:00Z" needs no conversion to be stored as UTC text.
        stored = at[:10] + " " + at[11:19] if len(at) == 20 and at[19] == "Z" else None
        if status:
            if status not in statuses:
                return None
        else:
            status = default_status
        if channel:
            if channel not in channels:
                return None
        else:
            channel = default_channel
        return ext, moment, amount, currency, status, channel, ref, stored

    return check


def check_with_schema(
    values: dict[str, Any], row: int, column_of: dict[str, str]
) -> tuple[OrderCreate | None, list[RowProblem]]:
    """OrderCreate's verdict on a row, the party reference left to the import's own look-up."""
    data = {k: v for k, v in values.items() if k not in PARTY_REFS}
    if "party_external_id" in values and isinstance(values["party_external_id"], str):
        data["party_external_id"] = values["party_external_id"]
    else:
        data["party_id"] = STAND_IN_PARTY  # found by e-mail or id; OrderCreate needs one
    if isinstance(cell := data.get("lines"), str):
        try:
            data["lines"] = json.loads(cell)
        except json.JSONDecodeError as exc:
            error = FieldError(
                "lines",
                data["lines"],
                _("is not a JSON list of order lines (error at column %(column)s)"),
                code="order_lines_not_json",
                params={"column": exc.colno},
            )
            return None, problems_from(row, [error], column_of)
        nul = nul_error({"lines": data["lines"]}) if "\\u0000" in cell else None  # JSON's NUL
        if nul is not None:
            return None, problems_from(row, [nul], column_of)
    try:
        return OrderCreate.model_validate(data), []
    except ValidationError as exc:
        return None, problems_from(row, field_errors(exc), column_of)
