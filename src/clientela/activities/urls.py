from django.urls import path

from clientela.activities.views import call_lists, my_day, pages, reminders

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
    path("my-day/", my_day.my_day, name="my_day"),
    path("my-day/log-call/", my_day.log_call, name="my_day_log_call"),
    path("my-day/follow-up/", my_day.follow_up, name="my_day_follow_up"),
    path("my-day/snooze/", my_day.snooze, name="my_day_snooze"),
    path("call/<int:party_id>/", my_day.call, name="call"),
    path("call-lists/", call_lists.call_lists, name="call_lists"),
    path("call-lists/new/", call_lists.call_list_new, name="call_list_new"),
    path("call-lists/<int:list_id>/", call_lists.call_list, name="call_list"),
    path("call-lists/<int:list_id>/next/", call_lists.call_list_next, name="call_list_next"),
    path("call-lists/calls/<int:item_id>/", call_lists.call_item, name="call_item"),
]
