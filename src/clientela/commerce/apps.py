from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommerceConfig(AppConfig):
    name = "clientela.commerce"
    label = "commerce"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from clientela.commerce import services  # noqa: F401  (registers the timeline source)
