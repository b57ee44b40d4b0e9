"""The sandbox staff templates are rendered in: python-liquid with its resource limits.

The engine sees only plain dicts, lists, strings and numbers (the variable catalogue builds
them); an item is read by key, never by attribute, and a name that starts with "_" is never
looked up. Each render has a budget: at most 10,000 loop iterations, 256 KB of output (and of
assigned values), 30 nested blocks and 200 ms. What a template writes is never parsed again,
so a customer called "{{7*7}}" is written as such.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _
from liquid import BoundTemplate, Environment, RenderContext
from liquid.exceptions import (
    LiquidError,
    LocalNamespaceLimitError,
    LoopIterationLimitError,
    OutputStreamLimitError,
)
from liquid.output import LimitedStringIO

from clientela.core.errors import Invalid, invalid

MAX_LOOP_ITERATIONS = 10_000
MAX_OUTPUT_BYTES = 256 * 1024
MAX_NESTING = 30
MAX_SECONDS = 0.2
# Tags a template may use with the template editor right; without it, none but comments.
LOGIC_TAGS = frozenset(
    {
        "if", "unless", "case", "for", "break", "continue", "cycle", "assign", "capture",
        "increment", "decrement", "liquid", "tablerow", "ifchanged",
    }
)  # fmt: skip
PLAIN_TAGS = frozenset({"comment", "raw", "echo", "#"})


class RenderTimeout(LiquidError):
    """A render ran past its time budget."""


class _TimedContext(RenderContext):
    """A render context that stops the render once its deadline has passed, and reads items
    of dicts and lists only."""

    deadline: float

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = kwargs.get("parent_context")
        self.deadline = getattr(parent, "deadline", time.monotonic() + MAX_SECONDS)

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderTimeout("render time limit reached", token=None)

    def get_item(self, obj: Any, key: Any) -> Any:
        self.check_time()
        if isinstance(key, str) and key.startswith("_"):
            raise KeyError(key)
        if not isinstance(obj, Mapping | Sequence):
            raise KeyError(key)
        return super().get_item(obj, key)

    def filter(self, name: str, token: Any) -> Any:  # liquid's own name
        self.check_time()
        return super().filter(name, token)

    def raise_for_loop_limit(self, length: int = 1) -> None:
        self.check_time()
        super().raise_for_loop_limit(length)

    def get_buffer(self, buf: Any = None) -> Any:
        self.check_time()
        return super().get_buffer(buf)


class _TimedTemplate(BoundTemplate):
    context_class = _TimedContext


class _Sandbox(Environment):
    loop_iteration_limit: ClassVar[int | None] = MAX_LOOP_ITERATIONS
    output_stream_limit: ClassVar[int | None] = MAX_OUTPUT_BYTES
    local_namespace_limit: ClassVar[int | None] = MAX_OUTPUT_BYTES
    block_nesting_limit: ClassVar[int] = MAX_NESTING
    context_depth_limit: ClassVar[int] = MAX_NESTING
    template_class = _TimedTemplate


class _TimedOutput(LimitedStringIO):
    """The output buffer: its size is limited by liquid, its time by the context's deadline."""

    def __init__(self, limit: int, deadline: float) -> None:
        super().__init__(limit=limit)
        self.deadline = deadline

    def write(self, s: str) -> int:
        if time.monotonic() > self.deadline:
            raise RenderTimeout("render time limit reached", token=None)
        return super().write(s)


def _build(*, autoescape: bool) -> Environment:
    env = _Sandbox(autoescape=autoescape, strict_filters=True)
    # No template reaches another: there is no loader, and these tags are gone.
    for name in ("include", "render", "extends", "block", "macro", "call"):
        env.tags.pop(name, None)
    return env


HTML = _build(autoescape=True)
TEXT = _build(autoescape=False)


@dataclass(frozen=True)
class Compiled:
    """A parsed template, its source (for line numbers) and whether it writes HTML."""

    template: BoundTemplate
    source: str
    html: bool


def parse(source: str, *, field: str, html: bool) -> Compiled:
    """Parse a template, or a 422 naming the field and where the syntax breaks."""
    try:
        return _compiled(source, html)
    except LiquidError as exc:
        raise invalid(
            field,
            _line_of(exc),
            _("cannot be read as a template at line %(line)s: %(problem)s"),
            code="template_syntax",
            line=_line_of(exc),
            problem=_first_line(exc),
        ) from exc


@functools.lru_cache(maxsize=512)
def _compiled(source: str, html: bool) -> Compiled:
    """A parsed template, kept: a campaign renders the same few sources for every customer,
    and a parsed template holds no state between renders."""
    env = HTML if html else TEXT
    return Compiled(env.from_string(source), source, html)


def render(compiled: Compiled, data: Mapping[str, Any], *, field: str) -> str:
    """Render within the limits; a template that goes past one is a 422 saying which."""
    deadline = time.monotonic() + MAX_SECONDS
    template = compiled.template
    context = _TimedContext(template, globals=dict(data))
    context.deadline = deadline
    buffer = _TimedOutput(MAX_OUTPUT_BYTES, deadline)
    try:
        template.render_with_context(context, buffer)
    except (LoopIterationLimitError, RenderTimeout, LocalNamespaceLimitError) as exc:
        raise _limit_error(field, exc) from exc
    except OutputStreamLimitError as exc:
        raise _limit_error(field, exc) from exc
    except LiquidError as exc:
        raise invalid(
            field,
            _line_of(exc),
            _("could not be written at line %(line)s: %(problem)s"),
            code="template_render_failed",
            line=_line_of(exc),
            problem=_first_line(exc),
        ) from exc
    return buffer.getvalue()


def _limit_error(field: str, exc: Exception) -> Invalid:
    if isinstance(exc, LoopIterationLimitError):
        return invalid(
            field,
            MAX_LOOP_ITERATIONS,
            _("loops more than %(limit)s times"),
            code="template_loop_limit",
            limit=MAX_LOOP_ITERATIONS,
        )
    if isinstance(exc, RenderTimeout):
        return invalid(
            field,
            int(MAX_SECONDS * 1000),
            _("takes longer than %(limit)s ms to write"),
            code="template_time_limit",
            limit=int(MAX_SECONDS * 1000),
        )
    return invalid(
        field,
        MAX_OUTPUT_BYTES // 1024,
        _("writes more than %(limit)s KB"),
        code="template_output_limit",
        limit=MAX_OUTPUT_BYTES // 1024,
    )


def _line_of(exc: LiquidError) -> int:
    token = getattr(exc, "token", None)
    source = getattr(token, "source", "") or ""
    index = getattr(token, "start_index", 0) or 0
    return source.count("\n", 0, max(index, 0)) + 1


def _first_line(exc: LiquidError) -> str:
    text = getattr(exc, "message", None) or (exc.args[0] if exc.args else "")
    return str(text).splitlines()[0][:200] if text else type(exc).__name__


def tags_of(compiled: Compiled) -> dict[str, int]:
    """Each tag the template uses, with the line of its first use."""
    analysis = compiled.template.analyze(include_partials=False)
    return {name: _span_line(compiled, spans[0].index) for name, spans in analysis.tags.items()}


def filters_of(compiled: Compiled) -> dict[str, int]:
    analysis = compiled.template.analyze(include_partials=False)
    return {name: _span_line(compiled, spans[0].index) for name, spans in analysis.filters.items()}


def variables_of(compiled: Compiled) -> list[tuple[list[Any], int]]:
    """The path of each variable the template expects to be given, with its line."""
    analysis = compiled.template.analyze(include_partials=False)
    return [
        (list(var.segments), _span_line(compiled, var.span.index))
        for variables in analysis.globals.values()
        for var in variables
    ]


def _span_line(compiled: Compiled, index: int) -> int:
    return compiled.source.count("\n", 0, max(index, 0)) + 1


def known_filters() -> frozenset[str]:
    return frozenset(HTML.filters)


__all__ = [
    "LOGIC_TAGS",
    "PLAIN_TAGS",
    "Compiled",
    "filters_of",
    "known_filters",
    "parse",
    "render",
    "tags_of",
    "variables_of",
]
