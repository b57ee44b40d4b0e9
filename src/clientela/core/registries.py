"""Registries through which a feature adds itself to others without being imported by them.

A feature fills these in its `AppConfig.ready()`; the feature that uses them (the customer
page on the top floor, the privacy eraser, the export command) only reads them. This is how
a lower floor, or a neighbour on the same floor, reaches an app (DESIGN.md, "Floors").
The timeline's sources live in `core.timeline`, recurring tasks in `core.schedules`.
Commerce tells the orders listeners which parties' orders changed.
"""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from dataclasses import field as attribute
from typing import IO, Any

from django.db.models import CharField, JSONField, Model, TextField
from django.http import HttpRequest

from clientela.core.errors import Problem, Text

# --- the customer page ---------------------------------------------------------------------


@dataclass(frozen=True)
class PartyPanel:
    """One panel of the customer page: a template and the context it needs.

    `context(request, party)` returns the template's context, or None to leave the panel out
    (for instance when the reader may not see what it shows). Panels are shown by `order`,
    lowest first, in the page's `column` ("main" or "side" of its section `tab`; "head" is the
    top of the page, where the parties app names the party; "summary" the header's tiles).
    The template is rendered with the page's context (`party`, `can_write`) plus the panel's
    own.
    """

    name: str
    template: str
    context: Callable[[HttpRequest, Any], Mapping[str, Any] | None]
    order: int = 100
    column: str = "main"
    # The page's section (tab) the panel belongs to, for the "main" and "side" columns; a
    # section is named by the feature that registers it (register_party_tab). "head" and
    # "summary" (the header's tiles) panels are on every section.
    tab: str = "details"


PARTY_PANELS: dict[str, PartyPanel] = {}


@dataclass(frozen=True)
class PartyTab:
    """One section of the customer page, reached by its tab: shown by `order`, lowest first.

    The page shows one section at a time (`?tab=NAME`, the first one by default), so a section
    costs nothing until it is opened. `label` is a lazy translation.
    """

    name: str
    label: Text
    order: int = 100


PARTY_TABS: dict[str, PartyTab] = {}


def register_party_tab(tab: PartyTab) -> None:
    """Add a section to the customer page; its panels name it in `PartyPanel.tab`."""
    PARTY_TABS[tab.name] = tab


def party_tabs() -> list[PartyTab]:
    """The registered sections in page order."""
    return sorted(PARTY_TABS.values(), key=lambda t: (t.order, t.name))


def register_party_panel(panel: PartyPanel) -> None:
    """Make a feature's panel part of every party's page."""
    PARTY_PANELS[panel.name] = panel


def party_panels(column: str | None = None) -> list[PartyPanel]:
    """The registered panels in page order, those of one column when it is named."""
    panels = sorted(PARTY_PANELS.values(), key=lambda p: (p.order, p.name))
    return [p for p in panels if column is None or p.column == column]


def no_extra_context(request: HttpRequest, party: Any) -> dict[str, Any]:
    """The context of a panel that needs only the page's own (`party`, `can_write`)."""
    return {}


# fn(party_id) -> the id of the party that an old party's address now leads to (dedupe's merge
# survivor), or None. The customer page follows it, so bookmarks and links in mail keep working.
PartyForwarding = Callable[[int], int | None]
PARTY_FORWARDINGS: dict[str, PartyForwarding] = {}


def register_party_forwarding(name: str, forwarding: PartyForwarding) -> None:
    """Let a feature say where a party that no longer exists went."""
    PARTY_FORWARDINGS[name] = forwarding


def forwarded_party(party_id: int) -> int | None:
    """Where the party's address leads now, by the first feature that knows; None if nowhere."""
    for _name, forwarding in sorted(PARTY_FORWARDINGS.items()):
        target = forwarding(party_id)
        if target is not None:
            return target
    return None


# --- the timeline's labels -----------------------------------------------------------------


@dataclass(frozen=True)
class TimelineLabels:
    """How pages name one timeline source's entries, in the reader's language.

    The feature that adds the source (`core.timeline.register_source`) knows its own choices;
    the timeline pages read them here instead of importing it. Labels are lazy translations.
    """

    kind: Text
    channels: Mapping[str, Text] = attribute(default_factory=dict)
    statuses: Mapping[str, Text] = attribute(default_factory=dict)


TIMELINE_LABELS: dict[str, TimelineLabels] = {}


def register_timeline_labels(kind: str, labels: TimelineLabels) -> None:
    """Name a timeline source's kind, channels and statuses on the pages."""
    TIMELINE_LABELS[kind] = labels


# --- erasure and the privacy export --------------------------------------------------------

# fn(party) blanks what a feature keeps about a person, in the same transaction as the rest of
# the erasure. Erasers run by `order`, lowest first: a feature that finds the person by address
# or external id runs before the parties app removes them (parties registers ERASE_LAST).
Eraser = Callable[[Any], None]
ERASERS: dict[str, tuple[int, Eraser]] = {}
ERASE_LAST = 1000
# Tables an erasure rewrites; on PostgreSQL they are vacuumed afterwards.
ERASED_TABLES: set[str] = set()
# "table.column" of every free-text column each eraser blanks (or whose rows it deletes).
ERASED_COLUMNS: dict[str, tuple[str, ...]] = {}


def register_eraser(
    name: str,
    eraser: Eraser,
    *,
    tables: tuple[str, ...] = (),
    columns: tuple[str, ...] = (),
    order: int = 100,
) -> None:
    """Make a feature's personal data part of every erasure.

    `columns` names ("table.column") the free-text columns that can hold the person's name and
    that the eraser blanks or deletes; their tables are vacuumed like those in `tables`.
    """
    ERASERS[name] = (order, eraser)
    ERASED_TABLES.update(tables)
    ERASED_TABLES.update(column.split(".")[0] for column in columns)
    ERASED_COLUMNS[name] = tuple(columns)


def erasers() -> list[Eraser]:
    """The registered erasers in the order they run."""
    return [eraser for _, eraser in sorted(ERASERS.values(), key=lambda entry: entry[0])]


def blank_text(model: type[Model], *, keep: set[str]) -> dict[str, object]:
    """Empty values for every free-text and JSON column of the model, except those kept.

    Generic on purpose: a text column added to the model later is erased too.
    """
    values: dict[str, object] = {}
    for field in model._meta.concrete_fields:
        if field.name in keep or field.primary_key or field.is_relation or field.choices:
            continue
        if isinstance(field, CharField | TextField):
            values[field.name] = None if field.null else ""
        elif isinstance(field, JSONField):
            values[field.name] = field.get_default()
    return values


# fn(party) -> rows: a feature's data about a party, added to every access (privacy) export.
ExportSection = Callable[[Any], list[dict[str, Any]] | dict[str, Any]]
EXPORT_SECTIONS: dict[str, ExportSection] = {}


def register_export_section(name: str, section: ExportSection) -> None:
    """Make another feature's data about a party part of every access export."""
    EXPORT_SECTIONS[name] = section


# --- `clientela export NAME` ---------------------------------------------------------------


@dataclass(frozen=True)
class ExtraExport:
    """An export a feature adds to `clientela export` (e.g. analytics' `metrics`)."""

    # (acting user, output stream, the command's options) -> rows written
    write: Callable[[Any, IO[str], dict[str, Any]], int]
    add_arguments: Callable[[ArgumentParser], None] | None = None
    help: str = ""


EXTRA_EXPORTS: dict[str, ExtraExport] = {}


def register_export(name: str, export: ExtraExport) -> None:
    """Make `clientela export NAME` run `export`; call it from the feature's AppConfig.ready."""
    EXTRA_EXPORTS[name] = export


# --- who a new party may be made from ------------------------------------------------------

# fn([(kind, normalised value), ...]) -> {(kind, value): why} for each e-mail or phone that no
# new party may be made from. Consent registers one: an erased or suppressed address stays out
# unless the person came back themself. parties.services asks every guard before a staff door
# (the API, the party form, an import) creates a party.
CreationGuard = Callable[[Collection[tuple[str, str]]], Mapping[tuple[str, str], Problem]]
CREATION_GUARDS: dict[str, CreationGuard] = {}


def register_creation_guard(name: str, guard: CreationGuard) -> None:
    """Let a feature keep some addresses from becoming a new party."""
    CREATION_GUARDS[name] = guard


def refused_addresses(points: Collection[tuple[str, str]]) -> dict[tuple[str, str], Problem]:
    """Each (kind, normalised value) some guard refuses, with the first guard's reason."""
    refused: dict[tuple[str, str], Problem] = {}
    if not points:
        return refused
    for _name, guard in sorted(CREATION_GUARDS.items()):
        for point, why in guard(points).items():
            refused.setdefault(point, why)
    return refused


# --- orders recorded ------------------------------------------------------------------------

# fn(party ids) is told, after the transaction that wrote them commits, which parties' orders
# changed (created, replaced, taken back). Commerce, the only writer of orders, tells every door
# (one order, NDJSON, an import's slices); analytics listens to keep each customer's metrics
# fresh. A listener must not raise for a party it does not know.
OrdersListener = Callable[[frozenset[int]], None]
ORDERS_LISTENERS: dict[str, OrdersListener] = {}


def register_orders_listener(name: str, listener: OrdersListener) -> None:
    """Be told which parties' orders changed, after each commit that changed them."""
    ORDERS_LISTENERS[name] = listener


def orders_listeners() -> list[OrdersListener]:
    """The registered listeners, by name."""
    return [listener for _name, listener in sorted(ORDERS_LISTENERS.items())]


# --- audit log actions ----------------------------------------------------------------------

# An audit entry's action code ("user.role_changed", "parties.bulk_assigned") -> how the audit
# log page says it, in the reader's language: a lazy message whose %(name)s parameters come from
# the entry (`actor`, `target`) and its details. Each feature registers the codes it writes; an
# unregistered code is shown as the code itself.
AUDIT_ACTIONS: dict[str, Text] = {}


def register_audit_action(code: str, label: Text) -> None:
    """Say how the audit log shows an action code (a gettext_lazy message)."""
    AUDIT_ACTIONS[code] = label


def audit_action_label(code: str) -> Text | None:
    """The registered message of an action code, or None."""
    return AUDIT_ACTIONS.get(code)


# --- filters of the party list --------------------------------------------------------------


@dataclass(frozen=True)
class PartyFilter:
    """A filter of the party list that a feature adds (analytics' lifecycle state, tier and
    months of purchase; segments' segment), so that a figure elsewhere can link to its parties.

    `params` are the URL parameters it reads; `apply(user, parties, values)` narrows the
    queryset by the values given (only non-empty ones are passed; never called with none) and
    raises Invalid naming the parameter for a bad value. `describe(values)` says in words what
    it keeps, for the list's heading. `choices()`, when given, lists (value, label) of its
    first parameter for a picker.
    """

    name: str
    params: tuple[str, ...]
    apply: Callable[[Any, Any, Mapping[str, str]], Any]
    describe: Callable[[Mapping[str, str]], list[str]]
    choices: Callable[[], list[tuple[str, str]]] | None = None


PARTY_FILTERS: dict[str, PartyFilter] = {}


def register_party_filter(party_filter: PartyFilter) -> None:
    """Make a feature's filter part of the party list's URL."""
    PARTY_FILTERS[party_filter.name] = party_filter


def party_filters() -> list[PartyFilter]:
    """The registered filters, by name."""
    return [PARTY_FILTERS[name] for name in sorted(PARTY_FILTERS)]


__all__ = [
    "AUDIT_ACTIONS",
    "CREATION_GUARDS",
    "ERASED_COLUMNS",
    "ERASED_TABLES",
    "ERASERS",
    "ERASE_LAST",
    "EXPORT_SECTIONS",
    "EXTRA_EXPORTS",
    "ORDERS_LISTENERS",
    "PARTY_FILTERS",
    "PARTY_FORWARDINGS",
    "PARTY_PANELS",
    "PARTY_TABS",
    "TIMELINE_LABELS",
    "CreationGuard",
    "Eraser",
    "ExportSection",
    "ExtraExport",
    "OrdersListener",
    "PartyFilter",
    "PartyForwarding",
    "PartyPanel",
    "PartyTab",
    "TimelineLabels",
    "audit_action_label",
    "blank_text",
    "erasers",
    "forwarded_party",
    "no_extra_context",
    "orders_listeners",
    "party_filters",
    "party_panels",
    "party_tabs",
    "refused_addresses",
    "register_audit_action",
    "register_creation_guard",
    "register_eraser",
    "register_export",
    "register_export_section",
    "register_orders_listener",
    "register_party_filter",
    "register_party_forwarding",
    "register_party_panel",
    "register_party_tab",
    "register_timeline_labels",
]
