"""`clientela export metrics`: registered with the export command when the app is ready.

Kept apart from services so that starting Django does not load the model core (SciPy): the
export's code is imported when the export runs.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import IO, Any

from clientela.accounts.models import User
from clientela.core.registries import ExtraExport, register_export


def _days_option(value: str) -> int:
    days = int(value)
    if not 1 <= days <= 36500:
        raise ValueError(value)
    return days


def register_metrics_export() -> None:
    """Make `clientela export metrics [--horizon-days N]` write export_metrics' rows."""

    def add_arguments(parser: ArgumentParser) -> None:
        parser.add_argument(
            "--horizon-days", type=_days_option, help="metrics: horizon of purchases and CLV"
        )

    def write(user: User, out: IO[str], options: dict[str, Any]) -> int:
        from clientela.analytics.services import export_metrics

        path = options.get("out")
        fmt = options.get("format") or (
            "ndjson" if path is not None and str(path).endswith((".ndjson", ".jsonl")) else "csv"
        )
        return export_metrics(out, horizon_days=options.get("horizon_days"), user=user, fmt=fmt)

    register_export(
        "metrics",
        ExtraExport(write=write, add_arguments=add_arguments, help="one row of metrics per party"),
    )
