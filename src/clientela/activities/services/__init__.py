"""Use cases of activities, one module per noun:

- activities: planning, changing, completing (with the interaction it logs), recurring,
  snoozing and cancelling;
- history: the timeline's entries, the privacy export and the erasure;
- reminders: assignment notices and the daily e-mail digest;
- feeds: each user's private iCalendar feed.
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
from clientela.activities.services.reminders import (
    mark_notices_read,
    reminder_settings,
    send_digests,
    set_daily_digest,
)

__all__ = [
    "ACTIVITY",
    "KIND_CHANNELS",
    "calendar_bytes",
    "cancel_activity",
    "complete_activity",
    "create_activity",
    "due_moments",
    "erase_activities",
    "erased_columns",
    "export_activities",
    "export_csv",
    "feed_owner",
    "issue_feed",
    "live_feed",
    "mark_notices_read",
    "next_due_date",
    "reminder_settings",
    "revoke_feed",
    "send_digests",
    "set_daily_digest",
    "snooze_activity",
    "update_activity",
]
