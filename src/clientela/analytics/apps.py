from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "clientela.analytics"
    label = "analytics"
    verbose_name = _("Customer analytics")

    def ready(self) -> None:
        from clientela.analytics import lifecycle  # noqa: F401  (registers the timeline source)
