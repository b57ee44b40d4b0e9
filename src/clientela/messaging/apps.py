from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "clientela.messaging"
    label = "messaging"
    verbose_name = _("Messaging")

    def ready(self) -> None:
        self._wire_delivery_reports()

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
