"""Reading a customer summary CSV (frequency, recency, T[, monetary_value]) with clear errors."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from typing import IO

import numpy as np
import numpy.typing as npt

from clientela.core.errors import invalid

FloatArray = npt.NDArray[np.float64]
REQUIRED = ("frequency", "recency", "T")
MONETARY = "monetary_value"


@dataclass(frozen=True)
class Summary:
    """One entry per customer, in the literature's convention (any time unit, the same for all)."""

    frequency: FloatArray
    recency: FloatArray
    T: FloatArray
    monetary: FloatArray | None


def _number(text: str, *, column: str, row: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise invalid(f"row {row}.{column}", text, "is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise invalid(f"row {row}.{column}", text, "must be a finite number, 0 or more")
    return value


def read_summary(lines: IO[str]) -> Summary:
    """Parse and check every row; rows are numbered as in the file (the header is row 1)."""
    reader = csv.DictReader(lines)
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    for column in REQUIRED:
        if column not in header:
            raise invalid("header", ",".join(header), f"has no column {column!r}")
    has_money = MONETARY in header
    values: dict[str, list[float]] = {c: [] for c in (*REQUIRED, MONETARY)}
    for row_number, row in enumerate(reader, start=2):
        parsed = {
            c: _number((row.get(c) or "").strip(), column=c, row=row_number) for c in REQUIRED
        }
        if parsed["frequency"] != int(parsed["frequency"]):
            raise invalid(f"row {row_number}.frequency", row["frequency"], "must be a whole number")
        if parsed["recency"] > parsed["T"]:
            raise invalid(f"row {row_number}.recency", row["recency"], "must not be more than T")
        if has_money:
            money = _number((row.get(MONETARY) or "").strip(), column=MONETARY, row=row_number)
            values[MONETARY].append(money)
        for column in REQUIRED:
            values[column].append(parsed[column])
    if not values["frequency"]:
        raise invalid("file", "", "has no rows after the header")
    return Summary(
        frequency=np.array(values["frequency"]),
        recency=np.array(values["recency"]),
        T=np.array(values["T"]),
        monetary=np.array(values[MONETARY]) if has_money else None,
    )
