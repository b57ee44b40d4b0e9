"""`clientela analytics refresh|fit|export-metrics`: customer metrics from the command line."""

from __future__ import annotations

import json
from argparse import ArgumentParser, ArgumentTypeError
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from clientela.analytics.apps import horizon_days
from clientela.analytics.models import RefreshRun
from clientela.analytics.presenters import currency_lines
from clientela.analytics.services.export import export_metrics
from clientela.analytics.services.refresh import refresh_metrics
from clientela.analytics.services.summary_file import fit_summary
from clientela.core.errors import Problem
from clientela.core.management.base import ClientelaCommand


def refresh_record(run: RefreshRun) -> dict[str, Any]:
    """What a refresh did, for machines (`clientela analytics refresh --json`)."""
    return {
        "as_of": run.as_of.isoformat(),
        "parties": run.parties,
        "customers": run.customers,
        "currency": run.currency,
        "currency_source": run.currency_source,
        "excluded_orders": run.excluded_orders,
        "unconverted": run.unconverted,
        "lifecycle_changes": run.lifecycle_changes,
        "bgnbd": run.bgnbd,
        "gamma_gamma": run.gamma_gamma,
        "seconds": run.timings,
    }


def _model_line(name: str, params: dict[str, Any] | None, keys: Sequence[str]) -> str:
    if not params:
        return _(
            "%(model)s: not fitted (too few customers, or too few with a repeat purchase, or "
            "the fit did not settle); expected purchases and lifetime value are left out."
        ) % {"model": name}
    values = ", ".join(f"{key} {params[key]:.4g}" for key in keys if key in params)
    return _("%(model)s: %(values)s.") % {"model": name, "values": values}


def refresh_summary(run: RefreshRun) -> list[str]:
    """What a refresh did, for a person: counts, currency, the fitted models."""
    seconds = sum(float(s) for s in run.timings.values())
    return [
        _(
            "Customer metrics as of %(as_of)s: %(parties)s parties, %(customers)s customers "
            "with a purchase, %(changes)s lifecycle changes, in %(seconds).1f s."
        )
        % {
            "as_of": run.as_of.isoformat(),
            "parties": f"{run.parties:,}",
            "customers": f"{run.customers:,}",
            "changes": f"{run.lifecycle_changes:,}",
            "seconds": seconds,
        },
        *currency_lines(run),
        _model_line("BG/NBD", run.bgnbd, ("r", "alpha", "a", "b")),
        _model_line("Gamma-Gamma", run.gamma_gamma, ("p", "q", "v")),
    ]


def fit_lines(result: dict[str, Any]) -> list[str]:
    """The parameters `clientela analytics fit` found, for a person."""
    bgnbd, gamma_gamma = result["bgnbd"], result.get("gamma_gamma")
    lines = [
        _("BG/NBD: r %(r).4g, alpha %(alpha).4g, a %(a).4g, b %(b).4g (log-likelihood %(ll).1f).")
        % {**bgnbd, "ll": bgnbd["loglik"]}
    ]
    if gamma_gamma is None:
        lines.append(_("Gamma-Gamma: not fitted (the file has no monetary_value column)."))
    else:
        lines.append(
            _("Gamma-Gamma: p %(p).4g, q %(q).4g, v %(v).4g (log-likelihood %(ll).1f).")
            % {**gamma_gamma, "ll": gamma_gamma["loglik"]}
        )
    return lines


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
