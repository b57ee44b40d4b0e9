"""The customer 360 page as composed from every feature's panels and sections (core.registries)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from clientela.core.registries import PartyTab, party_panels, party_tabs
from clientela.parties.models import Party

# "head" names the party, "summary" holds the header's tiles: both on every section. "side"
# and "main" hold the chosen section's panels.
COLUMNS = ("head", "summary", "side", "main")
EVERY_SECTION = frozenset({"head", "summary"})


@dataclass(frozen=True)
class ShownPanel:
    """A panel as the page shows it: its template and the context its feature gave."""

    name: str
    template: str
    context: Mapping[str, Any]


def page_tabs() -> list[PartyTab]:
    """The sections that have at least one panel, in page order (the timeline first)."""
    used = {p.tab for p in party_panels() if p.column not in EVERY_SECTION}
    return [tab for tab in party_tabs() if tab.name in used]


def chosen_tab(tabs: list[PartyTab], asked: str) -> PartyTab | None:
    """The section asked for, or the first one when the name is empty or unknown."""
    for tab in tabs:
        if tab.name == asked:
            return tab
    return tabs[0] if tabs else None


def party_page_panels(
    request: HttpRequest, party: Party, tab: str | None = None
) -> dict[str, list[ShownPanel]]:
    """The panels to show, by column, in page order: the header's and those of section `tab`
    (all sections' when None). Only the shown panels' contexts are computed; a panel whose
    context is None is left out."""
    columns: dict[str, list[ShownPanel]] = {column: [] for column in COLUMNS}
    for panel in party_panels():
        if tab is not None and panel.column not in EVERY_SECTION and panel.tab != tab:
            continue
        context = panel.context(request, party)
        if context is not None:
            shown = ShownPanel(panel.name, panel.template, context)
            columns.setdefault(panel.column, []).append(shown)
    return columns
