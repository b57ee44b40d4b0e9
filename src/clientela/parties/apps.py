from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "clientela.parties"
    label = "parties"
    verbose_name = _("Parties")

    def ready(self) -> None:
        from clientela.core.registries import ERASE_LAST, register_eraser
        from clientela.parties.services.erasure import erase_party_data, erased_columns

        register_eraser("parties", erase_party_data, columns=erased_columns(), order=ERASE_LAST)
        self.register_party_panels()
        self.register_audit_actions()

    def register_audit_actions(self) -> None:
        """How the audit log says the custom-field definitions' changes."""
        from clientela.core.registries import register_audit_action

        register_audit_action("custom_field.created", _("created custom field “%(label)s”"))
        register_audit_action("custom_field.changed", _("changed custom field “%(label)s”"))
        register_audit_action("custom_field.deleted", _("deleted custom field “%(label)s”"))

    def register_party_panels(self) -> None:
        """The customer page's header (who the party is) and its "Details" section: how to
        reach them, their roles, relations, key dates and notes, and what changed."""
        from django.utils.translation import gettext_lazy as _

        from clientela.core.registries import (
            PartyPanel,
            PartyTab,
            no_extra_context,
            register_party_panel,
            register_party_tab,
        )
        from clientela.parties import views

        register_party_tab(PartyTab("details", _("Details"), 600))
        for panel in (
            PartyPanel(
                "identity", "parties/_identity_panel.html", views.identity_panel, 100, "head"
            ),
            PartyPanel("details", "parties/_details_panel.html", views.details_panel, 100, "main"),
            PartyPanel("contacts", "parties/_contacts_panel.html", no_extra_context, 200, "main"),
            PartyPanel("roles", "parties/_roles_panel.html", views.roles_panel, 300, "side"),
            PartyPanel(
                "relations", "parties/_relations_panel.html", views.relations_panel, 400, "side"
            ),
            PartyPanel("key_dates", "parties/_key_dates_panel.html", no_extra_context, 500, "side"),
            PartyPanel("notes", "parties/_notes_panel.html", views.notes_panel, 600, "side"),
            PartyPanel("changes", "parties/_changes_panel.html", views.changes_panel, 900, "main"),
        ):
            register_party_panel(panel)
