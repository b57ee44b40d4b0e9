"""The customer 360 page as composed from every feature's panels (core.registries)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from clientela.core.registries import party_panels
from clientela.parties.models import Party

COLUMNS = ("head", "side", "main")


@dataclass(frozen=True)
class ShownPanel:
    """A panel as the page shows it: its template and the context its feature gave."""

    name: str
    template: str
    context: Mapping[str, Any]


def party_page_panels(request: HttpRequest, party: Party) -> dict[str, list[ShownPanel]]:
    """The panels to show, by column, in page order; a panel whose context is None is left out."""
    columns: dict[str, list[ShownPanel]] = {column: [] for column in COLUMNS}
    for panel in party_panels():
        context = panel.context(request, party)
        if context is not None:
            shown = ShownPanel(panel.name, panel.template, context)
            columns.setdefault(panel.column, []).append(shown)
    return columns
