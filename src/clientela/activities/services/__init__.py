"""Use cases of activities, one module per noun:

- activities: planning, changing, completing (with the interaction it logs), recurring,
  snoozing and cancelling;
- history: the timeline's entries, the privacy export and the erasure;
- reminders: assignment notices and the daily e-mail digest;
- feeds: each user's private iCalendar feed;
- my_day: what a user has to do today and which customers need attention;
- windows, call_lists, calls: calling windows, building call lists, recording calls.
"""

from __future__ import annotations

from clientela.activities.services.activities import (
    KIND_CHANNELS,
    cancel_activity,
    complete_activity,
    create_activity,
    due_moments,
    next_due_date,
    snooze_activity,
    update_activity,
)
from clientela.activities.services.call_lists import build_call_list
from clientela.activities.services.calls import (
    erase_call_items,
    get_visible_call_list,
    get_visible_item,
    next_call,
    record_call,
    visible_call_lists,
    visible_items,
)
from clientela.activities.services.feeds import (
    calendar_bytes,
    feed_owner,
    issue_feed,
    live_feed,
    revoke_feed,
)
from clientela.activities.services.history import (
    ACTIVITY,
    erase_activities,
    erased_columns,
    export_activities,
    export_csv,
)
from clientela.activities.services.my_day import my_day, snooze_attention
from clientela.activities.services.reminders import (
    mark_notices_read,
    reminder_settings,
    send_digests,
    set_daily_digest,
)

__all__ = [
    "ACTIVITY",
    "KIND_CHANNELS",
    "build_call_list",
    "calendar_bytes",
    "cancel_activity",
    "complete_activity",
    "create_activity",
    "due_moments",
    "erase_activities",
    "erase_call_items",
    "erased_columns",
    "export_activities",
    "export_csv",
    "feed_owner",
    "get_visible_call_list",
    "get_visible_item",
    "issue_feed",
    "live_feed",
    "mark_notices_read",
    "my_day",
    "next_call",
    "next_due_date",
    "record_call",
    "reminder_settings",
    "revoke_feed",
    "send_digests",
    "set_daily_digest",
    "snooze_activity",
    "snooze_attention",
    "update_activity",
    "visible_call_lists",
    "visible_items",
]
