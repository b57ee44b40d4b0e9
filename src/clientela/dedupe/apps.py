from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DedupeConfig(AppConfig):
    name = "clientela.dedupe"
    label = "dedupe"
    verbose_name = _("Duplicates")

    def ready(self) -> None:
        from clientela.core.timeline import register_source
        from clientela.dedupe.presenters import MERGE, merge_entries
        from clientela.interactions.presenters import KIND_LABELS

        register_source(MERGE, merge_entries)
        # The timeline pages label each entry's kind from this table.
        KIND_LABELS.setdefault(MERGE, _("Merge"))
