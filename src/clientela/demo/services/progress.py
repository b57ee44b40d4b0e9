"""Where the demo's progress goes: a terminal progress bar, or nowhere."""

from __future__ import annotations

from typing import Protocol


class Reporter(Protocol):
    """Stages with a known amount of work, advanced as the work gets done."""

    def stage(self, name: str, total: int) -> None: ...

    def advance(self, amount: int = 1) -> None: ...


class Silent:
    """A reporter that shows nothing."""

    def stage(self, name: str, total: int) -> None:
        return None

    def advance(self, amount: int = 1) -> None:
        return None
