"""How many SMS segments a text takes, counted before it is sent (3GPP TS 23.038).

A text made only of the GSM 7-bit default alphabet travels as GSM-7: 160 septets in one SMS,
153 per segment once it needs several (the concatenation header takes the rest). The
extension table's characters (€ [ ] { } \\ ^ ~ | and form feed) take two septets each, an
escape and the character, and a pair is never split between segments. Any other character
makes the whole text UCS-2: 70 UTF-16 code units in one SMS, 67 per segment; a character
outside the Basic Multilingual Plane (most emoji) is a surrogate pair, two units that are
never split either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

GSM7 = "gsm7"
UCS2 = "ucs2"

# The default alphabet, in table order (0x1B, the escape, is not a character of its own).
_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ"
    "ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
BASIC = frozenset(_BASIC)
EXTENSION = frozenset("\f^{}\\[~]|€")

# (one SMS, each segment of a concatenated one), in the encoding's units.
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


@dataclass(frozen=True)
class SmsLength:
    """A text's encoding, its length in that encoding's units, and the segments it takes."""

    encoding: str
    units: int
    segments: int


def _gsm7_units(text: str) -> list[int] | None:
    """Septets per character, or None when a character is not in the GSM-7 alphabet."""
    units = []
    for char in text:
        if char in BASIC:
            units.append(1)
        elif char in EXTENSION:
            units.append(2)
        else:
            return None
    return units


def _ucs2_units(text: str) -> list[int]:
    """UTF-16 code units per character: 2 for a character outside the BMP."""
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def _segments(units: Iterable[int], per_segment: int) -> int:
    """Segments needed when characters (of these sizes) are never split between segments."""
    count, used = 1, 0
    for size in units:
        if used + size > per_segment:
            count, used = count + 1, 0
        used += size
    return count


def sms_length(text: str) -> SmsLength:
    """The encoding a text is sent in and how many segments it takes (1 for an empty text)."""
    gsm = _gsm7_units(text)
    encoding, units = (GSM7, gsm) if gsm is not None else (UCS2, _ucs2_units(text))
    single, concatenated = LIMITS[encoding]
    total = sum(units)
    segments = 1 if total <= single else _segments(units, concatenated)
    return SmsLength(encoding=encoding, units=total, segments=segments)


def is_gsm7(text: str) -> bool:
    """Whether the text can travel in the GSM 7-bit alphabet (without its extension too)."""
    return _gsm7_units(text) is not None
