"""Domain errors raised by services and mapped once at each edge (API, pages, commands)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field: where, what was sent, and why it is wrong.

    `line` is set when the input came as many lines (NDJSON, CSV): the 1-based line number.
    """

    field: str
    value: Any
    message: str
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        data = {"field": self.field, "value": _printable(self.value), "message": self.message}
        return data if self.line is None else {"line": self.line, **data}

    def describe(self) -> str:
        where = self.field if self.line is None else f"line {self.line}: {self.field}"
        return f"{where}: {self.message} (got {_printable(self.value)!r})"


def _printable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value if not isinstance(value, str) or len(value) <= 200 else value[:200] + "…"
    return str(value)[:200]


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class Invalid(DomainError):
    """Input that breaks a rule; carries one FieldError per problem."""

    status = 422
    title = "Invalid input"

    def __init__(self, errors: list[FieldError] | FieldError, detail: str | None = None) -> None:
        errs = [errors] if isinstance(errors, FieldError) else list(errors)
        message = detail or "; ".join(e.describe() for e in errs)
        super().__init__(message, errors=errs)


def invalid(field_name: str, value: Any, message: str) -> Invalid:
    """Shorthand for a single-field Invalid."""
    return Invalid(FieldError(field_name, value, message))
