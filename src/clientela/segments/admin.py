"""The admin's view of segments: each segment with its static list.

Rules are written in the rule builder (or the API), which checks them; here they are shown, not
edited, and segments are not created. A static list's members are added and taken off on its
page; the list of every membership only shows them (and lets one be deleted).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest

from clientela.core.requests import current_user
from clientela.segments.models import Segment, StaticMember

if TYPE_CHECKING:  # the stubs make these generic; at run time they cannot be subscripted
    ModelAdmin = admin.ModelAdmin[Any]
    TabularInline = admin.TabularInline[Any, Any]
else:
    ModelAdmin = admin.ModelAdmin
    TabularInline = admin.TabularInline


class StaticMemberInline(TabularInline):
    model = StaticMember
    extra = 0
    raw_id_fields = ("party",)
    readonly_fields = ("added_by", "added_at")
    fields = ("party", "added_by", "added_at")


@admin.register(Segment)
class SegmentAdmin(ModelAdmin):
    list_display = ("name", "kind", "owner", "team", "updated_at")
    list_filter = ("kind", "team")
    search_fields = ("name", "description")
    list_select_related = ("owner", "team")
    readonly_fields = ("kind", "rules", "created_at", "updated_at")
    fields = ("name", "description", "kind", "rules", "owner", "team", "created_at", "updated_at")
    inlines = (StaticMemberInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a segment starts in the rule builder, which checks its rules

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[type[Any]]:
        return [StaticMemberInline] if obj is not None and obj.is_static else []

    def save_formset(
        self,
        request: HttpRequest,
        form: ModelForm[Any],
        formset: BaseInlineFormSet[Any, Any, Any],
        change: bool,
    ) -> None:
        """Members put on the list here are recorded as added by the admin who did it."""
        for member in formset.save(commit=False):
            if member.added_by_id is None:
                member.added_by = current_user(request)
            member.save()
        for gone in formset.deleted_objects:
            gone.delete()


@admin.register(StaticMember)
class StaticMemberAdmin(ModelAdmin):
    list_display = ("segment", "party", "added_by", "added_at")
    list_filter = ("segment",)
    search_fields = ("segment__name", "party__display_name")
    list_select_related = ("segment", "party", "added_by")
    readonly_fields = ("segment", "party", "added_by", "added_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # added on a static list's own page, where only static lists show members

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
