"""The admin's view of activities: read-only, since only the services write them (the
interaction a completion logs, the timeline steps, the next occurrence go together)."""

from __future__ import annotations

from django.contrib import admin

from clientela.activities.models import Activity, ActivityEvent, CalendarFeed, ReminderSettings
from clientela.core.admin import ReadOnlyAdmin


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "party", "assignee", "queue", "due_at", "status")
    list_filter = ("status", "kind", "priority")
    search_fields = ("title",)
    list_select_related = ("party", "assignee", "queue")
    raw_id_fields = ("party",)


@admin.register(ActivityEvent)
class ActivityEventAdmin(ReadOnlyAdmin):
    list_display = ("activity", "action", "at", "actor")
    list_select_related = ("activity", "actor")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ("user", "created_at", "revoked_at")
    hidden = ("digest",)


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(ReadOnlyAdmin):
    list_display = ("user", "daily_digest", "last_digest_on")
