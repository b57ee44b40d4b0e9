from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "clientela.consent"
    label = "consent"
    verbose_name = _("Consent and privacy")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from clientela.consent.presenters import CONSENT, consent_entries
        from clientela.consent.services.erasure import COLUMNS, erase_consent_data
        from clientela.consent.services.proof import install_sqlite_functions
        from clientela.consent.tasks import schedule_daily_clean_up
        from clientela.core.registries import (
            TimelineLabels,
            register_eraser,
            register_timeline_labels,
        )
        from clientela.core.schedules import register_schedule
        from clientela.core.timeline import register_source

        # The SQLite triggers that guard consent proof ask each connection's own functions.
        connection_created.connect(install_sqlite_functions, dispatch_uid="consent.proof")
        register_eraser("consent", erase_consent_data, columns=COLUMNS)
        register_source(CONSENT, consent_entries)
        register_timeline_labels(CONSENT, TimelineLabels(kind=_("Consent")))
        # Erased and suppressed addresses stay out of new parties, at every staff door.
        from clientela.consent.services.return_check import keeps_out
        from clientela.core.registries import register_creation_guard

        register_creation_guard("consent", keeps_out)
        register_schedule("consent.clean_up", schedule_daily_clean_up)

        # The customer page's "Consent" section: the gate, preferences and history.
        from clientela.consent.views.consents import consents_panel
        from clientela.core.registries import (
            PartyPanel,
            PartyTab,
            register_party_panel,
            register_party_tab,
        )

        register_party_tab(PartyTab("consent", _("Consent"), 400))
        register_party_panel(
            PartyPanel(
                "consents", "consent/_party_panel.html", consents_panel, order=300, tab="consent"
            )
        )
