"""`clientela analytics refresh|fit|export-metrics`: customer metrics from the command line."""

from __future__ import annotations

import json
from argparse import ArgumentParser, ArgumentTypeError
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext

from clientela.analytics.apps import horizon_days
from clientela.analytics.presenters import (
    currency_lines,
    fit_lines,
    refresh_record,
    refresh_summary,
)
from clientela.analytics.services.export import export_metrics
from clientela.analytics.services.refresh import refresh_metrics
from clientela.analytics.services.summary_file import fit_summary
from clientela.core.errors import Problem
from clientela.core.management.base import ClientelaCommand


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(
            gettext("--as-of %(value)r is not a date as YYYY-MM-DD") % {"value": text}
        ) from None


class Command(ClientelaCommand):
    help = "Customer analytics: refresh every party's metrics, fit the CLV models on a summary."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser(
            "refresh", help="recompute RFM, lifecycle, CLV and tiers for every party"
        )
        refresh.add_argument(
            "--as-of", type=_date, help="compute as if this day (YYYY-MM-DD) were today"
        )
        refresh.add_argument(
            "--json", action="store_true", help="print what the refresh did as one JSON object"
        )
        fit = sub.add_parser("fit", help="fit BG/NBD and Gamma-Gamma on a summary CSV")
        fit.add_argument(
            "--summary",
            required=True,
            type=Path,
            help="CSV with columns frequency,recency,T and optionally monetary_value",
        )
        fit.add_argument("--json", action="store_true", help="print the parameters as JSON")
        export = sub.add_parser("export-metrics", help="one row of metrics per party")
        export.add_argument(
            "--horizon-days", type=horizon_days, help="horizon of purchases and CLV"
        )
        export.add_argument("--format", choices=["csv", "ndjson"], default="csv")
        export.add_argument("--out", type=Path, help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        # Service errors (DomainError) end the command through ClientelaCommand; a bad setting
        # or a value the database cannot read ends it here, each with its message.
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except (ImproperlyConfigured, Problem) as exc:
            raise CommandError(str(exc)) from exc

    def _refresh(self, options: dict[str, Any]) -> None:
        with transaction.atomic():
            run = refresh_metrics(as_of=options["as_of"])
        if options["json"]:
            self.stdout.write(json.dumps(refresh_record(run)))
            for line in currency_lines(run):
                self.stderr.write(line)
            return
        for line in refresh_summary(run):
            self.stdout.write(line)

    def _fit(self, options: dict[str, Any]) -> None:
        path: Path = options["summary"]
        try:
            with path.open(encoding="utf-8-sig", newline="") as lines:
                result = fit_summary(lines)
        except OSError as exc:
            raise CommandError(
                gettext("--summary %(path)r: %(reason)s")
                % {"path": str(path), "reason": exc.strerror}
            ) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(
                gettext("--summary %(path)r is not UTF-8 text") % {"path": str(path)}
            ) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result))
            return
        for line in fit_lines(result):
            self.stdout.write(line)

    def _export_metrics(self, options: dict[str, Any]) -> None:
        out: Path | None = options["out"]
        horizon, fmt = options["horizon_days"], options["format"]
        if out is None:
            export_metrics(self.stdout, horizon_days=horizon, user=None, fmt=fmt)
            return
        partial = out.with_name(out.name + ".partial")
        try:
            with partial.open("w", encoding="utf-8", newline="") as handle:
                count = export_metrics(handle, horizon_days=horizon, user=None, fmt=fmt)
            partial.replace(out)  # nothing half-written under the real name
        except OSError as exc:
            raise CommandError(
                gettext("--out %(path)r: %(reason)s") % {"path": str(out), "reason": exc.strerror}
            ) from exc
        finally:
            partial.unlink(missing_ok=True)
        self.stderr.write(
            gettext("%(count)s rows written to %(path)s") % {"count": count, "path": out}
        )
