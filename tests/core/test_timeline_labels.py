"""Every kind of timeline entry has a name people read, in their language.

The customer page's timeline filter listed "consent" and "lifecycle" as raw codes.
"""

from __future__ import annotations

from django.utils import translation

from clientela.core.registries import TIMELINE_LABELS
from clientela.core.timeline import SOURCES
from clientela.interactions.presenters import kind_label


def test_every_timeline_source_registers_its_labels() -> None:
    assert set(SOURCES) - set(TIMELINE_LABELS) == set()


def test_the_filter_shows_names_not_codes_in_each_language() -> None:
    for language in ("en", "pt", "es", "it"):
        with translation.override(language):
            for kind in SOURCES:
                assert str(kind_label(kind)) != kind, (language, kind)
