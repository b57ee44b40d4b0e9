"""Each user's activities as a private iCalendar feed, at an address with a random token.

Only the token's digest is stored; revoking the feed makes its address answer 404 at once, as
does a disabled user's. The feed holds what the user may still see: their own activities and
their team queue's, pending ones and those finished in the last month.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from clientela.accounts.models import User
from clientela.activities.models import Activity, ActivityStatus, CalendarFeed
from clientela.activities.queries import PENDING, assigned_to, visible_activities

FEED_PREFIX = "cf_"
FINISHED_KEPT = timedelta(days=31)  # done or cancelled activities stay this long in the feed
FEED_SIZE = 2000
DEFAULT_MINUTES = 30  # an activity with a time and no duration takes this long in a calendar
_STATUSES = {
    ActivityStatus.OPEN: "CONFIRMED",
    ActivityStatus.SNOOZED: "CONFIRMED",
    ActivityStatus.DONE: "CONFIRMED",
    ActivityStatus.CANCELLED: "CANCELLED",
}


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def live_feed(user: User) -> CalendarFeed | None:
    """The user's feed that still answers, if any."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def issue_feed(user: User) -> tuple[CalendarFeed, str]:
    """A new feed address for the user; the old one, if any, stops answering.

    The raw token is returned once and never stored.
    """
    revoke_feed(user)
    raw = FEED_PREFIX + secrets.token_urlsafe(32)
    return CalendarFeed.objects.create(user=user, digest=_digest(raw)), raw


def revoke_feed(user: User) -> int:
    """Stop the user's feed: its address answers 404 from now on. Returns feeds revoked."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def feed_owner(raw: str) -> User | None:
    """The active user whose live feed this token opens, or None."""
    if not raw.startswith(FEED_PREFIX) or len(raw) > 100:
        return None
    digest = _digest(raw)
    feed = (
        CalendarFeed.objects.filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
        .select_related("user", "user__team")
        .first()
    )
    if feed is None or not hmac.compare_digest(feed.digest, digest):
        return None
    return feed.user


def feed_activities(user: User, now: datetime | None = None) -> list[Activity]:
    """What the user's calendar shows: pending activities, and those finished lately."""
    now = now or timezone.now()
    recent = Q(status__in=PENDING) | Q(updated_at__gte=now - FINISHED_KEPT)
    rows = visible_activities(user).filter(assigned_to(user)).filter(recent)
    return list(rows.select_related("party").order_by("due_at", "id")[:FEED_SIZE])


def calendar_bytes(user: User, *, link: Any = None, now: datetime | None = None) -> bytes:
    """The user's feed as an iCalendar document (RFC 5545).

    `link(activity)` gives each activity's address in the app, when the caller knows it.
    """
    from icalendar import Calendar, Event

    now = now or timezone.now()
    with translation.override(user.language or settings.LANGUAGE_CODE):
        calendar = Calendar()
        calendar.add("prodid", "-//Clientela//Activities//EN")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", gettext("Clientela: %(user)s") % {"user": str(user)})
        calendar.add("x-published-ttl", "PT15M")
        for activity in feed_activities(user, now):
            event = Event()
            event.add("uid", f"activity-{activity.pk}@clientela")
            event.add("dtstamp", now)
            event.add("last-modified", activity.updated_at)
            event.add(
                "summary",
                f"{activity.get_kind_display()}: {activity.title} · {activity.party.display_name}",
            )
            if activity.due_time is None:
                event.add("dtstart", activity.due_date)
                event.add("dtend", activity.due_date + timedelta(days=1))
            else:
                minutes = activity.duration_minutes or DEFAULT_MINUTES
                event.add("dtstart", activity.due_at)
                event.add("dtend", activity.due_at + timedelta(minutes=minutes))
            if activity.notes:
                event.add("description", activity.notes)
            event.add("status", _STATUSES[ActivityStatus(activity.status)])
            if link is not None:
                event.add("url", link(activity))
            calendar.add_component(event)
        return bytes(calendar.to_ical())
