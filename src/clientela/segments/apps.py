from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SegmentsConfig(AppConfig):
    name = "clientela.segments"
    label = "segments"
    verbose_name = _("Segments")

    def ready(self) -> None:
        from clientela.core.registries import PartyFilter, register_party_filter
        from clientela.segments.queries import (
            describe_segment,
            filter_by_segment,
            segment_choices,
        )

        # `?segment=ID` on the party list: analytics' figures link to a segment's parties.
        register_party_filter(
            PartyFilter(
                "segments.segment",
                ("segment",),
                filter_by_segment,
                describe_segment,
                choices=segment_choices,
            )
        )
