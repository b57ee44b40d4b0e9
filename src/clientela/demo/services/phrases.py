"""The demo's conversations in each customer's language: conversations.py writes them in
English, the phrase books say them in Portuguese, Spanish and Italian."""

from __future__ import annotations

from clientela.demo.services.phrases_es import ES
from clientela.demo.services.phrases_it import IT
from clientela.demo.services.phrases_pt import PT

BOOKS: dict[str, dict[str, str]] = {"pt": PT, "es": ES, "it": IT}


def phrase(text: str, language: str) -> str:
    """`text` as a customer speaking `language` reads it (English when no book has it)."""
    if not text:
        return text
    return BOOKS.get(language.split("-")[0], {}).get(text, text)
