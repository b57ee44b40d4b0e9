from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "clientela.interactions"
    label = "interactions"
    verbose_name = _("Interactions")

    def ready(self) -> None:
        from clientela.core.registries import (
            PartyPanel,
            PartyTab,
            register_eraser,
            register_party_panel,
            register_party_tab,
            register_timeline_labels,
        )
        from clientela.interactions import presenters, services  # services adds the timeline source

        register_eraser(
            "interactions", services.erase_interactions, columns=services.erased_columns()
        )
        register_timeline_labels(services.INTERACTION, presenters.INTERACTION_LABELS)
        # The customer page's first section: the timeline, and the form that adds to it.
        register_party_tab(PartyTab("timeline", _("Timeline"), 100))
        register_party_panel(
            PartyPanel(
                "timeline",
                "interactions/_timeline_panel.html",
                presenters.timeline_context,
                order=500,
                tab="timeline",
            )
        )
        register_party_panel(
            PartyPanel(
                "log",
                "interactions/_log_panel.html",
                presenters.log_panel,
                order=400,
                column="side",
                tab="timeline",
            )
        )
