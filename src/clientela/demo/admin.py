"""The admin's view of the demo mark: shown, never edited (`clientela demo` writes it)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.http import HttpRequest

from clientela.demo.models import DemoDatabase

if TYPE_CHECKING:  # the stubs make ModelAdmin generic; at run time it cannot be subscripted
    ModelAdmin = admin.ModelAdmin[DemoDatabase]
else:
    ModelAdmin = admin.ModelAdmin


@admin.register(DemoDatabase)
class DemoDatabaseAdmin(ModelAdmin):
    list_display = ("built_at", "seed", "customers")
    readonly_fields = ("built_at", "seed", "customers")
    search_fields = ("seed",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
