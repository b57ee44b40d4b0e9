"""Reminders: the notices page and the header's counter, the daily digest and calendar feed
settings, and the feed itself (a public address, opened by its token alone)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientela.accounts.services import API_TOKEN, count_hit, refuse_if_throttled
from clientela.activities import queries, services
from clientela.activities.models import Activity
from clientela.activities.presenters import row
from clientela.core.clients import client_address
from clientela.core.errors import Throttled
from clientela.core.ids import id_from_text
from clientela.core.requests import current_user

NOTICES_SHOWN = 100


@require_GET
@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """What needs you: your activities due today or overdue, and activities given to you."""
    user = current_user(request)
    due = list(queries.with_refs(queries.due_now(user))[:NOTICES_SHOWN])
    notices = list(queries.unread_assignments(user)[:NOTICES_SHOWN])
    context = {"due_rows": [row(a) for a in due], "notices": notices}
    return render(request, "activities/notifications.html", context)


@require_GET
@login_required
def notification_count(request: HttpRequest) -> HttpResponse:
    """The header's counter, loaded by htmx after the page (no query on every page)."""
    count = queries.notification_count(current_user(request))
    return render(request, "activities/_counter.html", {"count": count})


@require_POST
@login_required
def notifications_read(request: HttpRequest) -> HttpResponse:
    """Mark the assignment notices read (those posted, or all)."""
    ids = [i for i in map(id_from_text, request.POST.getlist("notice")) if i is not None]
    with transaction.atomic():
        services.mark_notices_read(current_user(request), ids=ids or None)
    return redirect("activities:notifications")


@require_http_methods(["GET", "POST"])
@login_required
def reminder_settings(request: HttpRequest) -> HttpResponse:
    """The daily digest on or off, and the calendar feed: a new address, or none."""
    user = current_user(request)
    feed_url = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        with transaction.atomic():
            if action == "digest":
                services.set_daily_digest(user, enabled=request.POST.get("daily_digest") == "on")
                messages.success(request, gettext("Your reminder settings were saved."))
            elif action == "issue_feed":
                _feed, raw = services.issue_feed(user)
                feed_url = request.build_absolute_uri(reverse("activities:feed", args=[raw]))
            elif action == "revoke_feed":
                services.revoke_feed(user)
                messages.success(request, gettext("The calendar address no longer works."))
        if not feed_url:
            return redirect("activities:settings")
    context = {
        "settings": services.reminder_settings(user),
        "feed": services.live_feed(user),
        "feed_url": feed_url,
    }
    return render(request, "activities/settings.html", context)


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A user's activities as iCalendar; an unknown or revoked address is a 404.

    Calendar apps fetch it without signing in: the token is the key. Wrong tokens count against
    the client's address like bad API tokens, so guessing is throttled.
    """
    address = client_address(request)
    try:
        refuse_if_throttled(API_TOKEN, address=address)
    except Throttled as exc:
        response = HttpResponse(status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    user = services.feed_owner(token)
    if user is None:
        count_hit(API_TOKEN, address=address)
        raise Http404(gettext("No such calendar."))

    def link(activity: Activity) -> str:
        return request.build_absolute_uri(reverse("parties:detail", args=[activity.party_id]))

    body = services.calendar_bytes(user, link=link)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
