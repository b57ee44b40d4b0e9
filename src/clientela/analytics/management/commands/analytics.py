"""`clientela analytics refresh|fit|export-metrics`: customer metrics from the command line."""

from __future__ import annotations

import json
from argparse import ArgumentParser, ArgumentTypeError
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clientela.analytics.services import export_metrics, fit_summary, refresh_metrics
from clientela.core.errors import DomainError


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"--as-of {text!r} is not a date as YYYY-MM-DD") from None


def _days(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 36500:
        raise ArgumentTypeError(f"--horizon-days {text!r} must be a whole number from 1 to 36500")
    return int(text)


class Command(BaseCommand):
    help = "Customer analytics: refresh every party's metrics, fit the CLV models on a summary."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser(
            "refresh", help="recompute RFM, lifecycle, CLV and tiers for every party"
        )
        refresh.add_argument(
            "--as-of", type=_date, help="compute as if this day (YYYY-MM-DD) were today"
        )
        fit = sub.add_parser("fit", help="fit BG/NBD and Gamma-Gamma on a summary CSV; print JSON")
        fit.add_argument(
            "--summary",
            required=True,
            type=Path,
            help="CSV with columns frequency,recency,T and optionally monetary_value",
        )
        export = sub.add_parser("export-metrics", help="one row of metrics per party")
        export.add_argument("--horizon-days", type=_days, help="horizon of purchases and CLV")
        export.add_argument("--format", choices=["csv", "ndjson"], default="csv")
        export.add_argument("--out", type=Path, help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except (DomainError, ImproperlyConfigured) as exc:
            raise CommandError(getattr(exc, "detail", str(exc))) from exc

    def _refresh(self, options: dict[str, Any]) -> None:
        with transaction.atomic():
            run = refresh_metrics(as_of=options["as_of"])
        self.stdout.write(
            json.dumps(
                {
                    "as_of": run.as_of.isoformat(),
                    "parties": run.parties,
                    "customers": run.customers,
                    "excluded_orders": run.excluded_orders,
                    "lifecycle_changes": run.lifecycle_changes,
                    "bgnbd": run.bgnbd,
                    "gamma_gamma": run.gamma_gamma,
                    "seconds": run.timings,
                }
            )
        )

    def _fit(self, options: dict[str, Any]) -> None:
        path: Path = options["summary"]
        try:
            with path.open(encoding="utf-8-sig", newline="") as lines:
                result = fit_summary(lines)
        except OSError as exc:
            raise CommandError(f"--summary {str(path)!r}: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"--summary {str(path)!r} is not UTF-8 text") from exc
        self.stdout.write(json.dumps(result))

    def _export_metrics(self, options: dict[str, Any]) -> None:
        out: Path | None = options["out"]
        kwargs = {"horizon_days": options["horizon_days"], "user": None, "fmt": options["format"]}
        if out is None:
            export_metrics(self.stdout, **kwargs)  # type: ignore[arg-type]
            return
        partial = out.with_name(out.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8", newline="") as handle:
                count = export_metrics(handle, **kwargs)
            partial.replace(out)  # nothing half-written under the real name
        except OSError as exc:
            raise CommandError(f"--out {str(out)!r}: {exc.strerror}") from exc
        finally:
            partial.unlink(missing_ok=True)
        self.stderr.write(f"{count} rows written to {out}")
