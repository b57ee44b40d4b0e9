from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "clientela.messaging"
    label = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        self._wire_outbox()
        self._wire_delivery_reports()
        self._register_audit_actions()

    def _wire_outbox(self) -> None:
        """The outbox: the e-mail sender, the worker's step, erasure, the timeline and the
        customer page's "Messages" section."""
        from clientela.core.registries import (
            PartyPanel,
            PartyTab,
            register_eraser,
            register_party_panel,
            register_party_tab,
            register_timeline_labels,
        )
        from clientela.core.workers import register_worker_step
        from clientela.messaging import presenters
        from clientela.messaging.services import history  # adds the timeline source
        from clientela.messaging.services.channels import register_sender
        from clientela.messaging.services.delivery import drain
        from clientela.messaging.services.email import email_sender
        from clientela.messaging.services.sms import gateway_config, worker_sms_sender

        register_sender("email", email_sender)
        # SMS wait in the outbox until a gateway is configured (CLIENTELA_SMS_URL).
        register_sender("sms", worker_sms_sender, available=lambda: gateway_config() is not None)
        register_worker_step("outbox", lambda should_stop: drain(should_stop=should_stop).total)
        register_eraser("messaging", history.erase_messages, columns=history.ERASED_COLUMNS)
        register_timeline_labels(history.MESSAGE, presenters.MESSAGE_LABELS)
        # The customer page: the "Messages" section, with what was sent and a personal e-mail.
        register_party_tab(PartyTab("messages", _("Messages"), 450))
        register_party_panel(
            PartyPanel(
                "messages",
                "messaging/_party_panel.html",
                presenters.party_panel,
                order=100,
                tab="messages",
            )
        )

    def _wire_delivery_reports(self) -> None:
        """Bounces and complaints: the timeline, erasure, the access export, IMAP polling."""
        from clientela.core.registries import (
            register_eraser,
            register_export_section,
            register_timeline_labels,
        )
        from clientela.core.schedules import register_schedule
        from clientela.core.timeline import register_source
        from clientela.messaging.services import report_history as reports
        from clientela.messaging.tasks import schedule_bounce_mailbox

        register_source(reports.DELIVERY_REPORT, reports.report_entries)
        register_timeline_labels(reports.DELIVERY_REPORT, reports.REPORT_LABELS)
        # Before the parties' own eraser: the reports are found by the person's addresses.
        register_eraser(
            "delivery_reports", reports.erase_reports, columns=reports.erased_columns(), order=90
        )
        register_export_section("delivery_reports", reports.export_reports)
        register_schedule("messaging.bounce_mailbox", schedule_bounce_mailbox)

    def _register_audit_actions(self) -> None:
        from clientela.core.registries import register_audit_action

        register_audit_action("template.created", _("created template “%(name)s”"))
        register_audit_action("template.changed", _("changed template “%(name)s”"))
        register_audit_action("template.archived", _("archived template “%(name)s”"))
