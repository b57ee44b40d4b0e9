"""Which language variant a customer gets: `pt-BR → pt → the template's default`.

The whole message (subject, body, footer, dates, numbers and money) comes from the one variant
chosen here, and the choice says why: "exact" (the customer's tag itself), "language" (the same
language, another or no region) or "default" (nothing closer: the template's default).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from clientela.consent.services.preferences import get_preferences
from clientela.parties.models import Party

EXACT = "exact"
LANGUAGE = "language"
DEFAULT = "default"


@dataclass(frozen=True)
class Choice:
    """The variant's language tag (as stored) and why it was chosen."""

    language: str
    reason: str


def primary(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].lower()


def choose_language(wanted: str, available: Iterable[str], default: str) -> Choice:
    """The variant for a reader of `wanted` among `available` tags (BCP 47, any case)."""
    tags = list(available)
    want = wanted.replace("_", "-").strip().lower()
    if want:
        for tag in tags:
            if tag.lower() == want:
                return Choice(tag, EXACT)
        base = primary(want)
        same = [tag for tag in tags if primary(tag) == base]
        # The bare language first (pt for pt-BR), then its regions in the order given.
        for tag in sorted(same, key=lambda t: (t.lower() != base, tags.index(t))):
            return Choice(tag, LANGUAGE)
    for tag in tags:
        if tag.lower() == default.lower():
            return Choice(tag, DEFAULT)
    return Choice(tags[0] if tags else default, DEFAULT)


def wanted_language(party: Party) -> str:
    """The tag the customer reads: their preference, their record, else the company's."""
    from clientela.accounts.services import company_settings

    prefs = get_preferences(party)
    for tag in (prefs.language, party.language, company_settings().language):
        if tag:
            return str(tag)
    return str(settings.LANGUAGE_CODE)


def formatting_language(tag: str) -> str:
    """The language dates, numbers and money are written in: the variant's, when the product
    speaks it, else English (a message never mixes two languages' formats)."""
    supported = {code for code, _name in settings.LANGUAGES}
    if tag in supported:
        return tag
    return primary(tag) if primary(tag) in supported else "en"
