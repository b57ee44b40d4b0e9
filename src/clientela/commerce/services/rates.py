"""Exchange rates: enter one by hand, import a file of them; the only writer of their table.

A rate says how many units of a currency one unit of its base bought on a day. Recording the
same rate again changes nothing; another rate for the same day, currency and base replaces it
and is counted as updated. Admins and managers write rates (or the operator, from the
command line); everyone signed in reads them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Role, User
from clientela.commerce.models import ExchangeRate
from clientela.commerce.services.rate_files import RateRow, read_rates
from clientela.core.errors import Forbidden, invalid

MAY_WRITE = frozenset({Role.ADMIN, Role.MANAGER})
CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
# Rows looked up or written per statement.
CHUNK = 500


@dataclass(frozen=True)
class RatesImported:
    """What an import did: rates new, changed and already known, out of `rates` read."""

    rates: int
    created: int
    updated: int
    unchanged: int
    first_day: date | None
    last_day: date | None
    currencies: list[str]


def may_write_rates(user: User | None) -> bool:
    """Admins and managers (and the operator's command line: no user)."""
    return user is None or (user.is_active and user.role in MAY_WRITE)


def require_rates_write(user: User | None) -> None:
    if not may_write_rates(user):
        raise Forbidden(
            _("only admins and managers may change exchange rates"), code="rates_read_only"
        )


def set_rate(
    day: date,
    currency: str,
    rate: Decimal,
    *,
    base: str = "EUR",
    source: str = "manual",
    by: User | None,
) -> tuple[ExchangeRate, str]:
    """Record one rate (already checked by the caller's schema); created, updated or unchanged."""
    require_rates_write(by)
    if currency == base:
        raise invalid(
            "currency",
            currency,
            _("is the base currency itself; a rate is between two currencies"),
            code="rate_currency_is_base",
        )
    row = RateRow(day, currency, base, rate, 1)
    outcome = _write([row], source=source, by=by)
    stored = ExchangeRate.objects.get(day=day, currency=currency, base=base)
    return stored, next(name for name, n in outcome.items() if n)


def import_rates(
    lines: Iterable[str], *, fmt: str | None, source: str, by: User | None
) -> RatesImported:
    """Every rate of a file, or none: the whole file is checked before anything is written."""
    require_rates_write(by)
    rows = read_rates(lines, fmt=fmt)
    counts = _write(rows, source=source[:100], by=by)
    return RatesImported(
        rates=len({(r.day, r.currency, r.base) for r in rows}),
        created=counts[CREATED],
        updated=counts[UPDATED],
        unchanged=counts[UNCHANGED],
        first_day=min(r.day for r in rows),
        last_day=max(r.day for r in rows),
        currencies=sorted({r.currency for r in rows}),
    )


def _write(rows: list[RateRow], *, source: str, by: User | None) -> dict[str, int]:
    """Create the new rates, update the changed ones, count the rest; in the caller's
    transaction. Rates are compared as numbers: 1.0800 is 1.08."""
    wanted = {(r.base, r.currency, r.day): r.rate for r in rows}
    # One query over the file's bases, currencies and days (a few rows besides, at most).
    known = ExchangeRate.objects.filter(
        base__in={r.base for r in rows},
        currency__in={r.currency for r in rows},
        day__range=(min(r.day for r in rows), max(r.day for r in rows)),
    ).values_list("base", "currency", "day", "pk", "rate")
    stored = {(b, c, d): (pk, Decimal(rate)) for b, c, d, pk, rate in known.iterator(CHUNK)}
    now = timezone.now()
    new, changed, same = [], [], 0
    for key, value in wanted.items():
        existing = stored.get(key)
        if existing is None:
            base, currency, day = key
            new.append(
                ExchangeRate(
                    day=day, currency=currency, base=base, rate=value, source=source,
                    recorded_by=by, recorded_at=now,
                )
            )  # fmt: skip
        elif existing[1] != value:
            changed.append(
                ExchangeRate(
                    pk=existing[0], rate=value, source=source, recorded_by=by, recorded_at=now
                )
            )
        else:
            same += 1
    ExchangeRate.objects.bulk_create(new, batch_size=CHUNK)
    ExchangeRate.objects.bulk_update(
        changed, ["rate", "source", "recorded_by", "recorded_at"], batch_size=CHUNK
    )
    return {CREATED: len(new), UPDATED: len(changed), UNCHANGED: same}
