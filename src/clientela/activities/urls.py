from django.urls import path

from clientela.activities.views import pages, reminders

app_name = "activities"

urlpatterns = [
    path("", pages.activity_list, name="list"),
    path("new/", pages.activity_new, name="new"),
    path("<int:activity_id>/edit/", pages.activity_edit, name="edit"),
    path("<int:activity_id>/complete/", pages.activity_complete, name="complete"),
    path("<int:activity_id>/cancel/", pages.activity_cancel, name="cancel"),
    path("notifications/", reminders.notifications, name="notifications"),
    path("notifications/count/", reminders.notification_count, name="notification_count"),
    path("notifications/read/", reminders.notifications_read, name="notifications_read"),
    path("reminders/", reminders.reminder_settings, name="settings"),
    path("calendar/<str:token>.ics", reminders.calendar_feed, name="feed"),
]
