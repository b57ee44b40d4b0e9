"""The admin's view of the timeline's interactions: read-only, since the log is append-only.

A wrong entry is corrected by logging a new one that points at it (`corrects`), through the
party page, the API or an import; the admin only shows what was recorded.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from clientela.interactions.models import Attachment, Interaction


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin[Interaction]):
    list_display = ("occurred_at", "party", "channel", "direction", "subject", "staff")
    list_filter = ("channel", "direction", "occurred_at")
    list_select_related = ("party", "staff")
    search_fields = ("subject", "notes", "outcome", "external_id", "party__display_name")
    date_hierarchy = "occurred_at"
    ordering = ("-occurred_at", "-id")
    show_full_result_count = False  # a count of the whole log on every page costs a full scan
    fields = (
        "party",
        "channel",
        "direction",
        "occurred_at",
        "staff",
        "subject",
        "notes",
        "outcome",
        "corrects",
        "external_id",
        "created_at",
        "created_by",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Interaction | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Interaction | None = None) -> bool:
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin[Attachment]):
    """What was attached, for support; the file itself is downloaded from the party page,
    through its access check."""

    list_display = ("created_at", "name", "content_type", "size", "interaction")
    list_select_related = ("interaction",)
    ordering = ("-id",)
    fields = ("interaction", "name", "content_type", "size", "sha256", "created_at", "created_by")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Attachment | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Attachment | None = None) -> bool:
        return False
