"""Writing to a person at a terminal from a command.

Django colours everything a command writes to standard error red, as if it were an error.
Commands also write notes there (a token's "shown once" line, where an export went) so that
standard output stays the data a pipe carries; `note` writes those plainly.
"""

from __future__ import annotations

from django.core.management.base import OutputWrapper


def _plain(text: str) -> str:
    return text


def note(stream: OutputWrapper, text: str) -> None:
    """Write a line that is not an error to `stream` (a command's stderr), without colour."""
    stream.write(text, style_func=_plain)
