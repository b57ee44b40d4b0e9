"""Country names in many languages, to read a "Country" column into an ISO 3166 code."""

from __future__ import annotations

from functools import cache
from typing import Any

from clientela.parties.services.identity import normalize_text


@cache
def _locale_data() -> dict[str, Any]:
    """phonenumbers' country names: a large module, loaded on the first country read rather
    than by every command that imports this one (a quarter of a second)."""
    from phonenumbers.geodata.locale import LOCALE_DATA

    return LOCALE_DATA


@cache
def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, by_language in _locale_data().items():
        if len(code) != 2:
            continue
        for name in by_language.values():
            if not name.startswith("*"):
                names.setdefault(normalize_text(name), code)
    return names


def country_code(value: str) -> str | None:
    """'PT', 'pt', 'Portugal', 'España', 'Brasil' -> the two-letter code; None if unknown."""
    text = value.strip()
    if len(text) == 2 and text.isalpha() and text.upper() in _locale_data():
        return text.upper()
    return _names().get(normalize_text(text))
