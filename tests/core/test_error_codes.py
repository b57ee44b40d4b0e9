"""Every error the product raises has a code and a message translated into pt, es and it.

The codes are collected from the source itself: each `Problem(code, _("…"))`, each call with
`code="…"` and a `_("…")` message (FieldError, invalid, NotFound, Conflict, Forbidden, Invalid),
and Pydantic's error types in core.validation. Each one is then raised and rendered the way the
edges render it, in each language, and must not come out in English.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

import clientela
from clientela.core.errors import Invalid, Problem, message_id
from clientela.core.pages import invalid_messages
from clientela.core.validation import PYDANTIC_MESSAGES

SOURCE = Path(clientela.__file__).parent
LANGUAGES = ("pt", "es", "it")
ERROR_CALLS = {
    "Problem",
    "FieldError",
    "invalid",
    "NotFound",
    "Conflict",
    "Forbidden",
    "Invalid",
    "Throttled",
    "TooLarge",
    "Unavailable",
}
TRANSLATORS = {"_", "gettext_lazy", "gettext", "pgettext_lazy"}
_PLACEHOLDER = re.compile(r"%\((\w+)\)")


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _msgid(node: ast.expr | None) -> str | None:
    """The message id of `_("…")`, or None when the node is not a marked literal."""
    if (
        isinstance(node, ast.Call)
        and _name(node.func) in TRANSLATORS
        and node.args
        and isinstance(node.args[-1], ast.Constant)
        and isinstance(node.args[-1].value, str)
    ):
        return node.args[-1].value
    return None


def _message_node(call: ast.Call, kind: str) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "message":
            return keyword.value
    position = {"Problem": 1, "FieldError": 2, "invalid": 2, "Invalid": 1}.get(kind, 0)
    return call.args[position] if len(call.args) > position else None


def _code(call: ast.Call, kind: str) -> str | None:
    """The code given to the call: the literal, or "" when it is computed (a table's value)."""
    for keyword in call.keywords:
        if keyword.arg == "code" and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
        if keyword.arg == "code":
            return ""
    if kind == "Problem" and call.args and isinstance(call.args[0], ast.Constant):
        return str(call.args[0].value)
    return None


def error_calls() -> Iterator[tuple[str, int, str, ast.Call]]:
    """(file, line, kind, call) for every error built in the product's source."""
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in ERROR_CALLS:
                yield str(path.relative_to(SOURCE)), node.lineno, _name(node.func), node


def raised_codes() -> dict[str, set[str]]:
    """Each code and the message ids it is raised with."""
    codes: dict[str, set[str]] = defaultdict(set)
    for kind, message in PYDANTIC_MESSAGES.items():
        codes[kind].add(message_id(message))
    for _path, _line, kind, call in error_calls():
        code, msgid = _code(call, kind), _msgid(_message_node(call, kind))
        if code and msgid:
            codes[code].add(msgid)
    return codes


CODES = raised_codes()


def test_every_error_in_the_source_has_a_code_and_a_translatable_message() -> None:
    missing = []
    for path, line, kind, call in error_calls():
        if kind == "Invalid" and _message_node(call, kind) is None:
            continue  # an Invalid made of FieldErrors: each of those is checked on its own
        node = _message_node(call, kind)
        passed_on = isinstance(node, ast.Name | ast.Attribute | ast.Subscript)  # handed on
        if _code(call, kind) is None and not passed_on:
            missing.append(f"{path}:{line} {kind} has no code")
        if node is not None and _msgid(node) is None and not passed_on:
            missing.append(f"{path}:{line} {kind} message is not a _('…') literal")
    assert not missing, "\n".join(missing)


def test_the_source_raises_many_codes() -> None:
    assert len(CODES) > 100  # the collector itself works: it finds the product's codes


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("code", sorted(CODES))
def test_each_code_renders_in_the_readers_language(code: str, language: str) -> None:
    for msgid in sorted(CODES[code]):
        params = dict.fromkeys(_PLACEHOLDER.findall(msgid), 7)
        error = Problem(code, gettext_lazy(msgid), **params).at("field", "value")
        with translation.override("en"):
            english = error.text()
        with translation.override(language):
            answered = error.as_dict()["message"]
            shown = invalid_messages(Invalid(error))[0][1]
        assert answered != english, f"{code}: {msgid!r} is answered in English in {language}"
        assert answered in shown  # pages show the same translated message, beside the value
        assert "%(" not in answered, f"{code}: a placeholder is left in the {language} text"
