"""The admin's view of imports: a read-only audit of who imported what, when, and what came of
it. The file's contents (kept problems, their values, the kept files) are not shown: they are
personal data, seen on the import's own page by those allowed to."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from clientela.imports.models import ImportRun

AUDIT_FIELDS = (
    "kind",
    "source",
    "file_name",
    "format",
    "encoding",
    "status",
    "dry_run",
    "skip_invalid",
    "upsert",
    "rows",
    "created",
    "updated",
    "unchanged",
    "rejected",
    "skipped",
    "created_by",
    "created_at",
    "started_at",
    "finished_at",
    "host",
    "pid",
)


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin[ImportRun]):
    """Imports are recorded by the import itself; the admin only reads them."""

    list_display = (
        "id",
        "file_name",
        "kind",
        "source",
        "status",
        "created_by",
        "created_at",
        "finished_at",
        "rows",
        "created",
        "updated",
        "unchanged",
        "rejected",
    )
    list_filter = ("kind", "source", "status", "dry_run")
    search_fields = ("file_name", "created_by__email")
    list_select_related = ("created_by",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    fields = AUDIT_FIELDS
    readonly_fields = AUDIT_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
