"""Reminders: the notices a user reads in the app, and the optional daily e-mail digest."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from clientela.accounts.models import User
from clientela.activities.models import Assignment, ReminderSettings
from clientela.activities.queries import due_now, user_zone

DIGEST_SIZE = 50  # activities listed in one digest; the rest are counted


def mark_notices_read(user: User, *, ids: list[int] | None = None) -> int:
    """Mark the user's assignment notices read (those named, or all); returns how many."""
    notices = Assignment.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        notices = notices.filter(pk__in=ids)
    return notices.update(read_at=timezone.now())


def reminder_settings(user: User) -> ReminderSettings:
    """The user's reminder choices (defaults when never set; not saved until changed)."""
    found = ReminderSettings.objects.filter(user=user).first()
    return found or ReminderSettings(user=user)


def set_daily_digest(user: User, *, enabled: bool) -> ReminderSettings:
    """Turn the user's daily e-mail digest on or off."""
    chosen, _created = ReminderSettings.objects.update_or_create(
        user=user, defaults={"daily_digest": enabled}
    )
    return chosen


def send_digests(now: datetime | None = None, *, base_url: str = "") -> int:
    """Mail each user who asked for it the activities due today or overdue, once a day.

    A user's day is their own zone's; nothing is sent when nothing is due. Returns the number
    of e-mails sent.
    """
    now = now or timezone.now()
    sent = 0
    wanted = ReminderSettings.objects.filter(daily_digest=True, user__is_active=True)
    for choice in wanted.select_related("user", "user__team"):
        user = choice.user
        today = now.astimezone(user_zone(user)).date()
        if choice.last_digest_on == today:
            continue
        if _send_digest(user, now, base_url=base_url):
            sent += 1
        choice.last_digest_on = today
        choice.save(update_fields=["last_digest_on"])
    return sent


def _send_digest(user: User, now: datetime, *, base_url: str) -> bool:
    rows = due_now(user, now).select_related("party")
    count = rows.count()
    if not count:
        return False
    with (
        translation.override(user.language or settings.LANGUAGE_CODE),
        timezone.override(user_zone(user)),
    ):
        context = {
            "user": user,
            "activities": list(rows[:DIGEST_SIZE]),
            "more": max(0, count - DIGEST_SIZE),
            "now": now,
            "base_url": base_url or settings.CLIENTELA_PUBLIC_URL,
        }
        subject = gettext("Your activities for today: %(count)s") % {"count": count}
        body = render_to_string("activities/digest.txt", context)
    EmailMessage(subject=subject, body=body, to=[user.email]).send()
    return True
