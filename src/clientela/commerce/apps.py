from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommerceConfig(AppConfig):
    name = "clientela.commerce"
    label = "commerce"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from clientela.commerce import presenters, services  # services adds the timeline source
        from clientela.commerce.services import erasure
        from clientela.core.registries import (
            PartyPanel,
            PartyTab,
            register_eraser,
            register_party_panel,
            register_party_tab,
            register_timeline_labels,
        )

        register_eraser("commerce", erasure.erase_order_text, columns=erasure.COLUMNS)

        # The customer page: purchases in the header; the "Orders" section; the timeline's
        # names for orders.
        register_party_tab(PartyTab("orders", _("Orders"), 200))
        register_party_panel(
            PartyPanel(
                "purchases_tile",
                "commerce/_summary_tile.html",
                presenters.purchases_tile,
                order=200,
                column="summary",
            )
        )
        register_party_panel(
            PartyPanel(
                "purchases",
                "commerce/_purchases_panel.html",
                presenters.purchases_panel,
                tab="orders",
            )
        )
        register_timeline_labels(services.ORDER, presenters.ORDER_LABELS)
