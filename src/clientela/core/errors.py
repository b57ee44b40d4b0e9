"""Domain errors raised by services and mapped once at each edge (API, pages, commands).

Every error carries a stable `code` (what went wrong, for programs), `params` (the values the
message names) and a `message` marked for translation where it is written:

    raise invalid("phone", value, code="phone_invalid",
                  message=_("is not a phone number in %(region)s"), region=region)

The message is a `gettext_lazy` string with `%(name)s` placeholders; each edge renders it in
its reader's language (`text()`), and a stored error keeps the untranslated message id
(`as_record()`) so it can be rendered later in whatever language its reader uses. Nothing
translates by matching English.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as attribute
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# A message as written in the code: a lazy translation (the rule) or plain text (data).
Text = str | Promise


def render(message: Text, params: Mapping[str, Any] | None = None) -> str:
    """The message in the active language, with its parameters filled in."""
    text = str(message)
    if not params:
        return text
    try:
        return text % {key: _shown(value) for key, value in params.items()}
    except (KeyError, TypeError, ValueError):
        return text  # a translation that lost a placeholder still says something


def message_id(message: Text) -> str:
    """The untranslated message, to store and translate later in another reader's language."""
    with translation.override(None):
        return str(message)


def render_stored(message_id_: str, params: Mapping[str, Any] | None = None) -> str:
    """A stored message id rendered in the active language."""
    return render(gettext(message_id_) if message_id_ else "", params)


def _shown(value: Any) -> Any:
    return str(value) if isinstance(value, Promise) else value


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field: where, what was sent, which rule, and why.

    `line` is set when the input came as many lines (NDJSON, CSV): the 1-based line number.
    """

    field: str
    value: Any
    message: Text
    code: str = attribute(default="", kw_only=True)
    params: Mapping[str, Any] = attribute(default_factory=dict, kw_only=True)
    line: int | None = attribute(default=None, kw_only=True)

    def text(self) -> str:
        """The message in the active language."""
        return render(self.message, self.params)

    def as_dict(self) -> dict[str, Any]:
        """The error as an API answer shows it, in the active language."""
        data: dict[str, Any] = {
            "field": self.field,
            "value": printable(self.value),
            "code": self.code,
            "message": self.text(),
        }
        if self.params:
            data["params"] = {k: printable(_shown(v)) for k, v in self.params.items()}
        return data if self.line is None else {"line": self.line, **data}

    def as_record(self) -> dict[str, Any]:
        """The error as stored (JSON), its message untranslated: see `from_record`."""
        return {
            "line": self.line,
            "field": self.field,
            "value": printable(self.value),
            "code": self.code,
            "message": message_id(self.message),
            "params": {k: printable(_shown(v)) for k, v in self.params.items()},
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> FieldError:
        """A stored error, whose message is translated again when it is rendered."""
        return cls(
            field=str(record.get("field", "")),
            value=record.get("value"),
            message=_StoredMessage(str(record.get("message", ""))),
            code=str(record.get("code", "")),
            params=dict(record.get("params") or {}),
            line=record.get("line"),
        )

    def describe(self) -> str:
        """The field (and line), the problem and the value, in the active language."""
        where = self.field
        if self.line is not None:
            where = gettext("line %(line)s: %(field)s") % {"line": self.line, "field": self.field}
        return gettext("%(field)s: %(message)s (got %(value)r)") % {
            "field": where,
            "message": self.text(),
            "value": printable(self.value),
        }


class _StoredMessage(Promise):
    """A message id read back from storage, translated whenever it is shown."""

    def __init__(self, msgid: str) -> None:
        self.msgid = msgid

    def __str__(self) -> str:
        return gettext(self.msgid) if self.msgid else ""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _StoredMessage) and other.msgid == self.msgid

    def __hash__(self) -> int:
        return hash(self.msgid)


def printable(value: Any) -> Any:
    """A value as an answer may show it: scalars as they are, long text cut, the rest as text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no Infinity or NaN: a JSON answer must stay JSON
    if value is None or isinstance(value, bool | int | float | str):
        return value if not isinstance(value, str) or len(value) <= 200 else value[:200] + "…"
    return str(value)[:200]


class Problem(ValueError):
    """A rule broken inside a validator or a parsing helper: Pydantic and services wrap it.

    Raised where a `ValueError` would be (a Pydantic validator, a value parser); the edge
    turns it into a FieldError with the same code, message and parameters.
    """

    def __init__(self, code: str, message: Text, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.params = params

    def __str__(self) -> str:
        return render(self.message, self.params)

    def at(self, field_name: str, value: Any, *, line: int | None = None) -> FieldError:
        """This problem as the FieldError of one field."""
        return FieldError(
            field_name, value, self.message, code=self.code, params=self.params, line=line
        )


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    status = 400
    title: Text = _("Bad request")
    default_code = "bad_request"

    def __init__(
        self,
        message: Text,
        *,
        code: str = "",
        params: Mapping[str, Any] | None = None,
        errors: list[FieldError] | None = None,
    ) -> None:
        self.message = message
        self.code = code or self.default_code
        self.params = dict(params or {})
        self.errors = errors or []
        super().__init__(self.code)

    @property
    def detail(self) -> str:
        """The message in the active language."""
        return render(self.message, self.params)

    @property
    def headers(self) -> dict[str, str]:
        """HTTP headers an answer to this error carries (Retry-After, say)."""
        return {}

    def __str__(self) -> str:
        return self.detail


class NotFound(DomainError):
    status = 404
    title = _("Not found")
    default_code = "not_found"


class Conflict(DomainError):
    status = 409
    title = _("Conflict")
    default_code = "conflict"


class Forbidden(DomainError):
    status = 403
    title = _("Forbidden")
    default_code = "forbidden"


class Throttled(DomainError):
    """Too many attempts at one door lately: the answer is 429 with Retry-After."""

    status = 429
    title = _("Too many requests")
    default_code = "throttled"

    def __init__(
        self,
        message: Text,
        *,
        retry_after: int,
        code: str = "",
        params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code=code, params=params)
        self.retry_after = max(1, int(retry_after))

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class Invalid(DomainError):
    """Input that breaks a rule; carries one FieldError per problem."""

    status = 422
    title = _("Invalid input")
    default_code = "invalid"

    def __init__(
        self,
        errors: list[FieldError] | FieldError,
        message: Text | None = None,
        *,
        code: str = "",
        params: Mapping[str, Any] | None = None,
    ) -> None:
        errs = [errors] if isinstance(errors, FieldError) else list(errors)
        super().__init__(message or "", code=code, params=params, errors=errs)

    @property
    def detail(self) -> str:
        if self.message:
            return render(self.message, self.params)
        return "; ".join(e.describe() for e in self.errors)


def invalid(
    field_name: str, value: Any, message: Text, *, code: str = "", **params: Any
) -> Invalid:
    """Shorthand for a single-field Invalid."""
    return Invalid(FieldError(field_name, value, message, code=code, params=params))


class TooLarge(DomainError):
    """A request larger than a documented limit; nothing of it was done."""

    status = 413
    title = _("Content too large")
    default_code = "too_large"


class Unavailable(Throttled):
    """Work that cannot be done now but can be later; the answer says when to try again."""

    status = 503
    title = _("Service unavailable")
    default_code = "unavailable"


def unavailable(field_name: str, value: Any, *, line: int | None = None) -> FieldError:
    """A value held by a record the caller may not see (another team's e-mail, external id):
    refused like any invalid value, without naming that record, whose it is or how it differs.
    Raised as Invalid (422), never as a Conflict, so nothing tells it apart from a typo's answer.
    """
    return FieldError(
        field_name,
        value,
        _("cannot be used; give another value"),
        code="value_unavailable",
        line=line,
    )
