"""Row ids as inputs: whole numbers a database row can have, so a larger one never reaches SQL.

SQLite and PostgreSQL ids are signed 64-bit integers; Python's ints are not. An id of 2**63 in a
body, a query string, a segment rule or a file used to reach the database and end in a 500
("Python int too large to convert to SQLite INTEGER"). Every id an input carries is an `Id`:
1 to MAX_ID, or a 422 naming the field (Pydantic's `less_than_equal` / `greater_than_equal`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

MAX_ID = 2**63 - 1  # the largest id a database row can have

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def is_id(value: object) -> bool:
    """True for a whole number (not a bool) that a row's id can be."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def id_from_text(text: object) -> int | None:
    """The id written in a form field or a query string (ASCII digits), None when it is none."""
    raw = str(text if text is not None else "").strip()
    if not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if is_id(value) else None
