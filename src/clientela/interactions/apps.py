from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "clientela.interactions"
    label = "interactions"
    verbose_name = _("Interactions")

    def ready(self) -> None:
        from clientela.core.registries import register_eraser
        from clientela.interactions import services  # (importing it registers the timeline source)

        register_eraser(
            "interactions", services.erase_interactions, tables=("interactions_interaction",)
        )
