"""A customer summary CSV (frequency, recency, T[, monetary_value]): read with clear errors, and
the CLV models fitted on it (`clientela analytics fit`)."""

from __future__ import annotations

import csv
import math
from dataclasses import asdict, dataclass
from typing import IO, Any

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext_lazy as _

from clientela.analytics import clv
from clientela.core.errors import FieldError, Invalid, invalid

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
        raise Invalid(
            FieldError(column, text, _("is not a number"), code="summary_not_a_number", line=row)
        ) from None
    if not math.isfinite(value) or value < 0:
        raise Invalid(
            FieldError(
                column, text, _("must be a finite number, 0 or more"),
                code="summary_number_negative", line=row,
            )
        )  # fmt: skip
    return value


def read_summary(lines: IO[str]) -> Summary:
    """Parse and check every row; rows are numbered as in the file (the header is row 1)."""
    reader = csv.DictReader(lines)
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    for column in REQUIRED:
        if column not in header:
            raise invalid(
                "header", ",".join(header), _("has no column %(column)r"),
                code="summary_column_missing", column=column,
            )  # fmt: skip
    has_money = MONETARY in header
    values: dict[str, list[float]] = {c: [] for c in (*REQUIRED, MONETARY)}
    for row_number, row in enumerate(reader, start=2):
        parsed = {
            c: _number((row.get(c) or "").strip(), column=c, row=row_number) for c in REQUIRED
        }
        if parsed["frequency"] != int(parsed["frequency"]):
            raise Invalid(
                FieldError(
                    "frequency", row["frequency"], _("must be a whole number"),
                    code="summary_frequency_not_whole", line=row_number,
                )
            )  # fmt: skip
        if parsed["recency"] > parsed["T"]:
            raise Invalid(
                FieldError(
                    "recency", row["recency"], _("must not be more than T"),
                    code="summary_recency_after_t", line=row_number,
                )
            )  # fmt: skip
        if has_money:
            money = _number((row.get(MONETARY) or "").strip(), column=MONETARY, row=row_number)
            values[MONETARY].append(money)
        for column in REQUIRED:
            values[column].append(parsed[column])
    if not values["frequency"]:
        raise invalid("file", "", _("has no rows after the header"), code="summary_empty")
    return Summary(
        frequency=np.array(values["frequency"]),
        recency=np.array(values["recency"]),
        T=np.array(values["T"]),
        monetary=np.array(values[MONETARY]) if has_money else None,
    )


def _monetary(rows: clv.CompressedRows) -> FloatArray:
    if rows.monetary is None:
        raise invalid("monetary_value", "", _("is missing"), code="summary_monetary_missing")
    return rows.monetary


def fit_summary(lines: IO[str]) -> dict[str, Any]:
    """Fit BG/NBD (and Gamma-Gamma when monetary_value is given) on a summary CSV.

    Returns {"bgnbd": {r, alpha, a, b, loglik}, "gamma_gamma": {p, q, v, loglik} or None}.
    """
    summary = read_summary(lines)
    rows = clv.compress(summary.frequency, summary.recency, summary.T)
    try:
        bg = clv.fit_bgnbd(rows.x, rows.t_x, rows.T, rows.weights)
    except (clv.ConvergenceError, ValueError) as exc:
        raise invalid(
            "file", "", _("the BG/NBD model could not be fitted: %(reason)s"),
            code="bgnbd_fit_failed", reason=str(exc),
        ) from exc  # fmt: skip
    result: dict[str, Any] = {
        "bgnbd": {k: v for k, v in asdict(bg).items() if k != "n_customers"},
        "gamma_gamma": None,
    }
    if summary.monetary is not None:
        usable = (summary.frequency > 0) & (summary.monetary > 0)
        if not usable.any():
            raise invalid(
                "monetary_value", "",
                _("has no customer with a repeat purchase and a value above 0 to fit on"),
                code="summary_no_repeat_spend",
            )  # fmt: skip
        spend = clv.compress(
            summary.frequency[usable], np.zeros(usable.sum()), np.zeros(usable.sum()),
            summary.monetary[usable],
        )  # fmt: skip
        try:
            gg = clv.fit_gamma_gamma(spend.x, _monetary(spend), spend.weights)
        except (clv.ConvergenceError, ValueError) as exc:
            raise invalid(
                "monetary_value", "", _("the Gamma-Gamma model could not be fitted: %(reason)s"),
                code="gamma_gamma_fit_failed", reason=str(exc),
            ) from exc  # fmt: skip
        result["gamma_gamma"] = asdict(gg)
    return result
