from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DedupeConfig(AppConfig):
    name = "clientela.dedupe"
    label = "dedupe"
    verbose_name = _("Duplicates")

    def ready(self) -> None:
        from clientela.core.registries import register_party_forwarding
        from clientela.dedupe import timeline  # noqa: F401  (registers the "merge" source)
        from clientela.dedupe.services import merged_into

        # A merged party's old page leads to its survivor.
        register_party_forwarding("dedupe", merged_into)
