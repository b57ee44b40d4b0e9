"""Language resolution: `pt-BR → pt → the template's default`, and why each variant was chosen."""

from __future__ import annotations

import pytest

from clientela.messaging.services.languages import (
    Choice,
    choose_language,
    formatting_language,
    wanted_language,
)
from tests.factories import make_party

CASES = [
    # wanted, available, default, expected (language, reason)
    ("pt-BR", ["en", "pt", "pt-BR"], "en", ("pt-BR", "exact")),
    ("pt-BR", ["en", "pt"], "en", ("pt", "language")),
    ("pt-br", ["en", "pt-BR"], "en", ("pt-BR", "exact")),
    ("pt_BR", ["en", "pt-BR"], "en", ("pt-BR", "exact")),
    ("pt-PT", ["en", "pt-BR"], "en", ("pt-BR", "language")),
    ("pt", ["en", "pt-BR", "pt-PT"], "en", ("pt-BR", "language")),
    ("pt-PT", ["pt-BR", "pt", "en"], "en", ("pt", "language")),
    ("pt", ["en", "pt"], "en", ("pt", "exact")),
    ("es-MX", ["en", "pt"], "en", ("en", "default")),
    ("de", ["en", "pt", "it"], "it", ("it", "default")),
    ("", ["en", "pt"], "pt", ("pt", "default")),
    ("EN", ["en", "pt"], "pt", ("en", "exact")),
    ("en-GB", ["en-US", "pt"], "pt", ("en-US", "language")),
    ("zh-Hant-TW", ["zh-Hant-TW", "zh"], "zh", ("zh-Hant-TW", "exact")),
    ("zh-Hans-CN", ["zh-Hant-TW", "zh", "en"], "en", ("zh", "language")),
    ("it", ["en"], "EN", ("en", "default")),
]


@pytest.mark.parametrize(("wanted", "available", "default", "expected"), CASES)
def test_the_variant_and_why(
    wanted: str, available: list[str], default: str, expected: tuple[str, str]
) -> None:
    assert choose_language(wanted, available, default) == Choice(*expected)


@pytest.mark.parametrize(
    ("tag", "written_in"),
    [("pt-BR", "pt"), ("pt", "pt"), ("es-MX", "es"), ("it", "it"), ("de", "en"), ("en-GB", "en")],
)
def test_numbers_and_dates_follow_the_variant(tag: str, written_in: str) -> None:
    assert formatting_language(tag) == written_in


@pytest.mark.django_db
def test_the_preference_wins_over_the_record_and_keeps_its_region() -> None:
    from clientela.consent.models import Preferences

    party = make_party(language="es")
    assert wanted_language(party) == "es"
    Preferences.objects.create(party=party, language="pt-BR")
    assert wanted_language(party) == "pt-BR"
