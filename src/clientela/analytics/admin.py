"""The admin's view of customer analytics: every table is derived or a log, so all read-only.

Metrics are rewritten whole by each refresh, lifecycle changes are the parties' history and
refresh runs are the record of each refresh: nothing here is edited by hand.
"""

from __future__ import annotations

from django.contrib import admin

from clientela.analytics.models import CustomerMetrics, LifecycleChange, RefreshRun
from clientela.core.admin import ReadOnlyAdmin


@admin.register(CustomerMetrics)
class CustomerMetricsAdmin(ReadOnlyAdmin):
    list_display = (
        "party",
        "lifecycle_state",
        "rfm_segment",
        "tier",
        "occasions",
        "monetary",
        "clv",
        "p_alive",
        "as_of",
    )
    list_filter = ("lifecycle_state", "rfm_segment", "tier", "as_of")
    search_fields = ("party__display_name", "party__external_id")
    list_select_related = ("party",)
    show_full_result_count = False  # a count of a million rows on every page is not worth it


@admin.register(LifecycleChange)
class LifecycleChangeAdmin(ReadOnlyAdmin):
    list_display = ("party", "from_state", "to_state", "as_of", "at")
    list_filter = ("to_state", "from_state", "as_of")
    search_fields = ("party__display_name", "party__external_id")
    list_select_related = ("party",)
    date_hierarchy = "at"


@admin.register(RefreshRun)
class RefreshRunAdmin(ReadOnlyAdmin):
    list_display = (
        "as_of",
        "finished_at",
        "parties",
        "customers",
        "excluded_orders",
        "lifecycle_changes",
        "currency",
        "horizon_days",
    )
    list_filter = ("currency",)
    search_fields = ("as_of",)
    date_hierarchy = "finished_at"
