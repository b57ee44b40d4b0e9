"""Cells that a spreadsheet would run as a formula, made inert on the way out and back in.

A cell that starts with = + - @ tab or carriage return is written with a leading single quote,
so a spreadsheet shows it as text (OWASP "CSV injection"). Plain numbers such as -12.50 or
+351912345678 are left alone: a spreadsheet reads them as numbers, not formulas. Import takes
the quote off again, so export then import gives back the same value. A NUL is dropped on the
way out: a spreadsheet would hide it, and input refuses it (core/validation.py).
"""

from __future__ import annotations

import re

NUL = "\x00"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
# Quotes already in front of a trigger get one more, so the value itself survives the trip.
_QUOTED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise(value: str) -> str:
    """The cell as written to a CSV file; a NUL stored before input refused it is dropped, so
    "\\x00=1" cannot hide a formula behind it."""
    if NUL in value:
        value = value.replace(NUL, "")
    if (value.startswith(TRIGGERS) and not _NUMBER.match(value)) or _QUOTED.match(value):
        return "'" + value
    return value


def restore(value: str) -> str:
    """The cell as read from a CSV file: the quote that neutralise() put there comes off."""
    if value.startswith("'") and _QUOTED.match(value):
        return value[1:]
    return value
