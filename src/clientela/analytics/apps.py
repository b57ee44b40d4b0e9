"""Customer analytics' wiring: its timeline source, its daily refresh, the orders listener that
keeps each customer's metrics fresh and `clientela export metrics`.

Nothing here loads the model code (SciPy): the export's and the listener's code is imported
when an export runs or orders change.
"""

from __future__ import annotations

from argparse import ArgumentParser, ArgumentTypeError
from typing import IO, Any

from django.apps import AppConfig
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MAX_HORIZON_DAYS = 36500


class AnalyticsConfig(AppConfig):
    name = "clientela.analytics"
    label = "analytics"
    verbose_name = _("Customer analytics")

    def ready(self) -> None:
        from clientela.analytics.services.party_filters import METRICS_FILTER, ORDERS_FILTER
        from clientela.analytics.services.timeline import LIFECYCLE, lifecycle_entries
        from clientela.analytics.tasks import schedule_daily_refresh
        from clientela.core.registries import (
            ExtraExport,
            PartyPanel,
            PartyTab,
            TimelineLabels,
            register_export,
            register_orders_listener,
            register_party_filter,
            register_party_panel,
            register_party_tab,
            register_timeline_labels,
        )
        from clientela.core.schedules import register_schedule
        from clientela.core.timeline import register_source

        register_source(LIFECYCLE, lifecycle_entries)
        register_timeline_labels(LIFECYCLE, TimelineLabels(kind=_("Lifecycle change")))
        register_schedule("analytics.refresh", schedule_daily_refresh)
        # A customer's metrics follow their orders at once (services.freshness).
        register_orders_listener("analytics.metrics", _orders_changed)
        register_export(
            "metrics",
            ExtraExport(
                write=_write_metrics,
                add_arguments=_metrics_arguments,
                help="one row of metrics per party",
            ),
        )
        # The party list's filters behind every figure of the analytics pages.
        register_party_filter(ORDERS_FILTER)
        register_party_filter(METRICS_FILTER)
        # The customer page: lifecycle, tier and P(alive) in the header; the "Value" section.
        from clientela.analytics import presenters

        register_party_tab(PartyTab("value", _("Value"), 300))
        register_party_panel(
            PartyPanel(
                "metrics_tile",
                "analytics/_summary_tile.html",
                presenters.summary_tile,
                order=100,
                column="summary",
            )
        )
        register_party_panel(
            PartyPanel(
                "metrics",
                "analytics/_party_metrics.html",
                presenters.party_metrics_panel,
                order=200,
                tab="value",
            )
        )


# Up to this many parties' metrics are updated right after the commit that changed their
# orders, in the writer's process; more (an import's slice) are queued for the worker.
INLINE_PARTIES = 200


def _orders_changed(party_ids: frozenset[int]) -> None:
    """The orders listener: keep these parties' metrics fresh (services.freshness)."""
    if not party_ids:
        return
    if len(party_ids) > INLINE_PARTIES:  # queued without loading the model code
        from clientela.analytics.tasks import queue_metrics_update

        queue_metrics_update(party_ids)
        return
    from clientela.analytics.services.freshness import orders_changed

    orders_changed(party_ids)


def horizon_days(text: str) -> int:
    """`--horizon-days N`: a whole number of days from 1 to 36500."""
    if not text.isdigit() or not 1 <= int(text) <= MAX_HORIZON_DAYS:
        raise ArgumentTypeError(
            gettext("--horizon-days %(value)r must be a whole number from 1 to %(max)s")
            % {"value": text, "max": MAX_HORIZON_DAYS}
        )
    return int(text)


def _metrics_arguments(parser: ArgumentParser) -> None:
    parser.add_argument(
        "--horizon-days", type=horizon_days, help="metrics: horizon of purchases and CLV"
    )


def _write_metrics(user: Any, out: IO[str], options: dict[str, Any]) -> int:
    """`clientela export metrics [--horizon-days N]`: export_metrics' rows for the acting user."""
    from clientela.analytics.services.export import export_metrics

    path = options.get("out")
    fmt = options.get("format") or (
        "ndjson" if path is not None and str(path).endswith((".ndjson", ".jsonl")) else "csv"
    )
    return export_metrics(out, horizon_days=options.get("horizon_days"), user=user, fmt=fmt)
