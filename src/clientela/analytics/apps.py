from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "clientela.analytics"
    label = "analytics"
    verbose_name = _("Customer analytics")

    def ready(self) -> None:
        from clientela.analytics import lifecycle  # noqa: F401  (registers the timeline source)
        from clientela.analytics.export_command import register_metrics_export
        from clientela.analytics.tasks import schedule_daily_refresh
        from clientela.core.schedules import register_schedule

        register_schedule("analytics.refresh", schedule_daily_refresh)
        register_metrics_export()

        # The customer page's value and lifecycle panel, loaded by htmx once the page is shown.
        from clientela.core.registries import PartyPanel, no_extra_context, register_party_panel

        register_party_panel(
            PartyPanel("metrics", "analytics/_metrics_panel.html", no_extra_context, order=200)
        )
