from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

BULK_ACTIONS = {
    "parties.bulk_tagged": _("tagged %(count)s parties (%(changed)s changed)"),
    "parties.bulk_untagged": _("took a tag off %(count)s parties (%(changed)s changed)"),
    "parties.bulk_assigned": _("assigned %(count)s parties (%(changed)s changed)"),
    "parties.bulk_listed": _("put %(count)s parties on a static list (%(changed)s new)"),
    "parties.bulk_exported": _("exported %(count)s parties"),
}


class SegmentsConfig(AppConfig):
    name = "clientela.segments"
    label = "segments"
    verbose_name = _("Segments")

    def ready(self) -> None:
        from clientela.core.registries import (
            PartyFilter,
            register_audit_action,
            register_party_filter,
        )
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
        # How the audit log says the party list's bulk actions (segments.services.bulk_actions).
        for code, label in BULK_ACTIONS.items():
            register_audit_action(code, label)
