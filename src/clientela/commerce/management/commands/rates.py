"""`clientela rates import|set|list`: the exchange rates analytics converts orders with."""

from __future__ import annotations

import io
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from pydantic import ValidationError

from clientela.commerce.presenters import import_message, outcome_message, rate_text
from clientela.commerce.queries import exchange_rates
from clientela.commerce.schemas import ExchangeRateIn
from clientela.commerce.services.rate_files import FORMATS, parse_currency, parse_day
from clientela.commerce.services.rates import import_rates, set_rate
from clientela.core.errors import Invalid, Problem
from clientela.core.management.base import ClientelaCommand
from clientela.core.validation import field_errors


class Command(ClientelaCommand):
    help = "Exchange rates: import a file (the ECB's, or date,currency,rate), set one, list them."

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imports = commands.add_parser(
            "import",
            help="import rates from a CSV file, all or nothing",
            description="Read the European Central Bank's eurofxref-hist.csv or eurofxref.csv "
            "(download and unzip it first: nothing is fetched from the network) or a CSV "
            "with date,currency,rate[,base]. Every rate or none; the same rate again changes "
            "nothing, another rate for the same day replaces it.",
        )
        imports.add_argument("file", type=Path, metavar="FILE")
        imports.add_argument(
            "--format", choices=FORMATS, help="ecb or long (default: read from the header)"
        )
        one = commands.add_parser("set", help="record one rate: on DAY, 1 BASE = RATE CURRENCY")
        one.add_argument("day", metavar="DAY", help="YYYY-MM-DD")
        one.add_argument("currency", metavar="CURRENCY", help="such as USD")
        one.add_argument("rate", metavar="RATE", help="such as 1.0823")
        one.add_argument("--base", default="EUR", help="the base currency (default EUR)")
        listing = commands.add_parser("list", help="list rates, newest day first")
        listing.add_argument("--currency", help="only this currency")
        listing.add_argument("--since", help="from this day (YYYY-MM-DD)")
        listing.add_argument("--limit", type=int, default=50, help="at most this many (50)")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"])(options)

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(
                _("%(path)s: %(reason)s") % {"path": path, "reason": exc.strerror}
            ) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(_("%(path)s is not UTF-8 text") % {"path": path}) from exc
        try:
            with transaction.atomic():
                done = import_rates(
                    io.StringIO(text, newline=""), fmt=options["format"], source=path.name,
                    by=None,
                )  # fmt: skip
        except Invalid as exc:
            for error in exc.errors:
                self.stderr.write(error.describe())
            raise
        self.stdout.write(import_message(done))

    def _set(self, options: dict[str, Any]) -> None:
        values = {k: options[k] for k in ("day", "currency", "rate", "base")}
        try:
            data = ExchangeRateIn.model_validate(values)
        except ValidationError as exc:
            raise CommandError("; ".join(error.describe() for error in field_errors(exc))) from exc
        with transaction.atomic():
            rate, outcome = set_rate(
                data.day, data.currency, data.rate, base=data.base, source="command", by=None
            )
        self.stdout.write(outcome_message(rate, outcome))

    def _list(self, options: dict[str, Any]) -> None:
        try:
            currency = parse_currency(options["currency"]) if options["currency"] else None
            since = parse_day(options["since"]) if options["since"] else None
        except Problem as exc:
            raise CommandError(str(exc)) from exc
        rows = exchange_rates(currency=currency, since=since)[: max(options["limit"], 1)]
        for r in rows:
            self.stdout.write(
                f"{r.day.isoformat()}  1 {r.base} = {rate_text(r.rate)} {r.currency}  ({r.source})"
            )
