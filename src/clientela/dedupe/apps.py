from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DedupeConfig(AppConfig):
    name = "clientela.dedupe"
    label = "dedupe"
    verbose_name = _("Duplicates")

    def ready(self) -> None:
        from clientela.core.registries import (
            TimelineLabels,
            register_eraser,
            register_party_forwarding,
            register_timeline_labels,
        )
        from clientela.core.timeline import register_source
        from clientela.dedupe.presenters import MERGE, UNMERGE, merge_entries, unmerge_entries
        from clientela.dedupe.services import erasure, merged_into

        register_eraser("dedupe", erasure.erase_merges, columns=erasure.COLUMNS)

        register_source(MERGE, merge_entries)
        register_timeline_labels(MERGE, TimelineLabels(kind=_("Merge")))
        register_source(UNMERGE, unmerge_entries)
        register_timeline_labels(UNMERGE, TimelineLabels(kind=_("Unmerge")))
        # A merged party's old page leads to its survivor.
        register_party_forwarding("dedupe", merged_into)
