"""Preferences: channel, language, frequency limits, quiet hours, topics and pause."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from clientela.accounts.services import company_settings
from clientela.consent.models import Preferences
from clientela.consent.schemas import PreferencesIn
from clientela.parties.models import Party

FIELDS = (
    "preferred_channel",
    "language",
    "max_per_week",
    "max_per_month",
    "quiet_start",
    "quiet_end",
    "topics",
    "paused_until",
)


def get_preferences(party: Party) -> Preferences:
    """The party's preferences; an unsaved row with no limits when none were ever set."""
    found = Preferences.objects.filter(party=party).first()
    return found if found is not None else Preferences(party=party)


def update_preferences(party: Party, data: PreferencesIn, *, replace: bool) -> Preferences:
    """Change what was sent (or, with replace, everything: fields not sent go back to none)."""
    prefs = get_preferences(party)
    sent = data.model_fields_set
    for name in FIELDS:
        if replace or name in sent:
            value = getattr(data, name)
            if name in {"preferred_channel", "language"} and value is None:
                value = ""
            if name == "topics" and value is None:
                value = []
            setattr(prefs, name, value)
    prefs.full_clean(exclude=["party"])
    prefs.save()
    return prefs


def party_zone(party: Party) -> ZoneInfo:
    """The party's time zone, else the company's (company settings)."""
    for name in (party.timezone, company_settings().time_zone, settings.TIME_ZONE):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def local_time(party: Party, at: datetime) -> datetime:
    return at.astimezone(party_zone(party))


def customer_language(
    party: Party, prefs: Preferences | None = None, *, fallback: str | None = None
) -> str:
    """The language to speak to the party in: their preference, their record, else `fallback`
    (a public page passes the browser's) or the default."""
    supported = {code for code, _name in settings.LANGUAGES}
    prefs = prefs if prefs is not None else get_preferences(party)
    for code in (prefs.language, party.language):
        if not code:
            continue
        if code in supported:
            return code
        base = code.split("-")[0].lower()
        if base in supported:
            return base
    if fallback in supported:
        return str(fallback)
    return str(settings.LANGUAGE_CODE)
