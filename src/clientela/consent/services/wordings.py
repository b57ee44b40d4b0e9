"""Wordings: the exact text behind each consent record, stored once and found by its hash.

Every record carries one. A yes by consent carries the text the person saw; a record made
without one (a withdrawal by staff, an unsubscribe link, an objection, a yes on another legal
basis) carries the standard sentence of what was recorded, in the language active when it
was recorded. Wordings cannot be changed once stored (database triggers); an erasure blanks
the text of those that name the erased person and keeps their hash.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.consent.models import (
    ConsentChannel,
    ConsentSource,
    ConsentStatus,
    ConsentWording,
    LegalBasis,
    Purpose,
)
from clientela.core.errors import FieldError, Invalid

STANDARD_VERSION = "standard-1"
UNSUBSCRIBE_VERSION = "unsubscribe-link-1"


def store_wording(text: str, *, version: str = "", language: str = "") -> ConsentWording:
    """The wording row for this exact text, stored once and found again by its SHA-256."""
    text = text.strip()
    if not text:
        raise Invalid(
            FieldError(
                "wording.text", text, gettext_lazy("must not be empty"), code="wording_empty"
            )
        )
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    wording, _created = ConsentWording.objects.get_or_create(
        sha256=digest, defaults={"text": text, "version": version[:50], "language": language[:8]}
    )
    return wording


def find_wording(sha256: str) -> ConsentWording:
    wording = ConsentWording.objects.filter(sha256=sha256.lower()).first()
    if wording is None:
        raise Invalid(
            FieldError(
                "wording_sha256",
                sha256,
                gettext_lazy("is not a stored wording"),
                code="wording_not_found",
            )
        )
    return wording


def _language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE)[:8]


def unsubscribe_wording(purpose: str) -> ConsentWording:
    """The question the unsubscribe page asks (consent/public/unsubscribe_confirm.html)."""
    text = _("Stop receiving %(purpose)s messages by e-mail?") % {"purpose": Purpose(purpose).label}
    return store_wording(text, version=UNSUBSCRIBE_VERSION, language=_language())


def leave_everything_wording() -> ConsentWording:
    """The preference centre's button that withdraws every consent."""
    return store_wording(
        _("Unsubscribe from everything"), version=STANDARD_VERSION, language=_language()
    )


def objection_wording() -> ConsentWording:
    """What an objection to direct marketing (GDPR article 21) records."""
    text = _("I object to direct marketing of any kind, on any channel (GDPR article 21).")
    return store_wording(text, version=STANDARD_VERSION, language=_language())


def standard_wording(
    *, purpose: str, channel: str, status: str, source: str, legal_basis: str
) -> ConsentWording:
    """The sentence of a record made without a wording, in the active language."""
    if source == ConsentSource.UNSUBSCRIBE_LINK and status == ConsentStatus.WITHDRAWN:
        return unsubscribe_wording(purpose)
    labels = {
        "purpose": str(Purpose(purpose).label).lower(),
        "channel": str(ConsentChannel(channel).label),
        "basis": str(LegalBasis(legal_basis).label),
    }
    if status == ConsentStatus.WITHDRAWN:
        if purpose == Purpose.PROFILING:
            text = _("No more analysing of my data to tailor offers to me.")
        else:
            text = _("No more %(purpose)s messages by %(channel)s.") % labels
    elif purpose == Purpose.PROFILING:
        text = _("%(basis)s: my data may be analysed to tailor offers to me.") % labels
    else:
        text = _("%(basis)s: %(purpose)s messages by %(channel)s.") % labels
    return store_wording(text, version=STANDARD_VERSION, language=_language())


def naming_pattern(names: Iterable[str], contacts: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern that finds one of a person's names (each name field whole, as words) or
    contacts (anywhere) in a text, ignoring case.

    Whole names, not their words: a family name "de la Cruz" must not find every "de".
    """
    phrases = {" ".join(name.split()) for name in names if len(name.strip()) > 2}
    parts = [rf"(?<!\w){re.escape(p)}(?!\w)" for p in sorted(phrases)]
    parts += [re.escape(c) for c in sorted({c.strip() for c in contacts if len(c.strip()) > 3})]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def erase_wordings_naming(wordings: QuerySet[ConsentWording], pattern: re.Pattern[str]) -> int:
    """Blank the text and version of the wordings that name the person (erasure); their hash
    stays. The one change the database triggers allow a wording."""
    naming = [
        pk
        for pk, text, version in wordings.filter(erased_at__isnull=True).values_list(
            "pk", "text", "version"
        )
        if pattern.search(text) or pattern.search(version)
    ]
    if not naming:
        return 0
    return ConsentWording.objects.filter(pk__in=naming).update(
        text="", version="", erased_at=timezone.now()
    )
