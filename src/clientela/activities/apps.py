from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "clientela.activities"
    label = "activities"
    verbose_name = _("Activities")

    def ready(self) -> None:
        from clientela.activities import presenters, services  # services adds the timeline source
        from clientela.activities.tasks import schedule_daily_digest
        from clientela.core.registries import (
            ExtraExport,
            PartyPanel,
            PartyTab,
            register_eraser,
            register_export,
            register_export_section,
            register_party_panel,
            register_party_tab,
            register_timeline_labels,
        )
        from clientela.core.schedules import register_schedule

        register_timeline_labels(services.ACTIVITY, presenters.ACTIVITY_LABELS)
        register_eraser("activities", services.erase_activities, columns=services.erased_columns())
        register_eraser("call_lists", services.erase_call_items, order=90)
        register_export_section("activities", services.export_activities)
        register_schedule("activities.digest", schedule_daily_digest)
        register_export(
            "activities",
            ExtraExport(write=services.export_csv, help="the activities you may see, as CSV"),
        )
        # The customer page: the next open activity in the header; the "Activities" section.
        register_party_tab(PartyTab("activities", _("Activities"), 500))
        register_party_panel(
            PartyPanel(
                "next_activity",
                "activities/_summary_tile.html",
                presenters.next_activity_tile,
                order=300,
                column="summary",
            )
        )
        register_party_panel(
            PartyPanel(
                "activities",
                "activities/_party_panel.html",
                presenters.party_panel,
                order=350,
                tab="activities",
            )
        )
