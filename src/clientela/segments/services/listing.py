"""The party list as people work with it: filters, chosen columns and a sort, all in its URL.

A list query is read from URL parameters (`q`, `kind`, `role`, `tag`, `owner`, `team`,
`lifecycle`, `tier`, `segment`, `cols`, `sort`) and checked against the known filters, columns
and sorts below: nothing else reaches the ORM, so a URL can never name a column of its own
choosing. A saved view stores the same parameters. Sorting by the analytics fields joins each
party's one metrics row (analytics.CustomerMetrics, keyed by party); the last interaction is
read through the interactions' (party, -occurred_at) index. Ties are broken by id, so a page
never shows a party twice or skips one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.analytics.models import LifecycleState
from clientela.core.errors import FieldError, Invalid
from clientela.core.ids import MAX_ID, id_from_text
from clientela.core.registries import party_filters
from clientela.interactions.models import Interaction
from clientela.parties.models import CustomField, Party, PartyKind, RelationshipRole
from clientela.parties.queries import search_parties
from clientela.segments.models import Segment
from clientela.segments.queries import segment_filter


@dataclass(frozen=True)
class Column:
    """A column the list may show: its label, its group in the picker, and how it sorts."""

    key: str
    label: Promise | str
    group: str
    sort: str | None = None  # the ORM path it sorts by; None: not sortable


_GROUPS = {
    "party": _("Party"),
    "contact": _("Contact"),
    "analytics": _("Analytics"),
    "custom": _("Custom fields"),
}
_BUILT_IN = (
    Column("name", _("Name"), "party", "display_name"),
    Column("kind", _("Kind"), "party", "kind"),
    Column("roles", _("Roles"), "party"),
    Column("email", _("E-mail"), "contact"),
    Column("phone", _("Phone"), "contact"),
    Column("owner", _("Owner"), "party", "owner__full_name"),
    Column("team", _("Team"), "party", "team__name"),
    Column("tags", _("Tags"), "party"),
    Column("created", _("Created"), "party", "created_at"),
    Column("last_interaction", _("Last interaction"), "party", "last_interaction"),
    Column("clv", _("Lifetime value"), "analytics", "metrics__clv"),
    Column("p_alive", _("P(alive)"), "analytics", "metrics__p_alive"),
    Column("lifecycle", _("Lifecycle"), "analytics", "metrics__lifecycle_state"),
    Column("tier", _("Value tier"), "analytics", "metrics__tier"),
    Column("last_order", _("Last order"), "analytics", "metrics__last_purchase_at"),
)
DEFAULT_COLUMNS = ("name", "roles", "email", "phone", "owner", "tags")
DEFAULT_SORT = "name"
FILTERS = ("q", "kind", "role", "tag", "owner", "team", "lifecycle", "tier", "segment")
MAX_COLUMNS = 20


def columns() -> dict[str, Column]:
    """Every column the list may show, custom fields (`custom.<key>`) last."""
    found = {c.key: c for c in _BUILT_IN}
    for custom in CustomField.objects.order_by("label", "key"):
        key = f"custom.{custom.key}"
        found[key] = Column(key, custom.label, "custom")
    return found


def column_groups(available: Mapping[str, Column]) -> list[tuple[str, list[Column]]]:
    """The columns by group, for the picker."""
    return [
        (str(label), [c for c in available.values() if c.group == group])
        for group, label in _GROUPS.items()
        if any(c.group == group for c in available.values())
    ]


@dataclass
class ListQuery:
    """What the list shows: checked filters (as their URL text), columns and sort."""

    filters: dict[str, str] = field(default_factory=dict)
    columns: list[str] = field(default_factory=lambda: list(DEFAULT_COLUMNS))
    sort: str = DEFAULT_SORT

    @property
    def sort_key(self) -> str:
        return self.sort.removeprefix("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    def params(self, *, with_columns: bool = True) -> dict[str, str]:
        """The URL parameters that give this list back (defaults left out)."""
        shown = {k: v for k, v in self.filters.items() if v}
        if with_columns and self.columns != list(DEFAULT_COLUMNS):
            shown["cols"] = ",".join(self.columns)
        if with_columns and self.sort != DEFAULT_SORT:
            shown["sort"] = self.sort
        return shown


def _text(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name, "")
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value).strip()


def _choice(name: str, value: str, allowed: list[str], errors: list[FieldError]) -> str:
    if value and value not in allowed:
        errors.append(
            FieldError(name, value, _("is not one of the choices"), code="filter_invalid")
        )
        return ""
    return value


def parse_list_query(
    params: Mapping[str, Any], *, available: Mapping[str, Column] | None = None
) -> tuple[ListQuery, list[FieldError]]:
    """The list query the parameters describe, and an error for each part that was wrong
    (that part is left at its default, so a page still shows the rest)."""
    available = available if available is not None else columns()
    errors: list[FieldError] = []
    raw = {name: _text(params, name)[:200] for name in FILTERS}
    raw["kind"] = _choice("kind", raw["kind"], PartyKind.values, errors)
    raw["role"] = _choice("role", raw["role"], RelationshipRole.values, errors)
    raw["lifecycle"] = _choice("lifecycle", raw["lifecycle"], LifecycleState.values, errors)
    raw["tag"] = raw["tag"][:50]
    raw["tier"] = raw["tier"][:30]
    for name in ("owner", "team", "segment"):
        if raw[name] and id_from_text(raw[name]) is None:
            if raw[name].isascii() and raw[name].isdigit() and int(raw[name]) > MAX_ID:
                error = FieldError(  # no row can have it (ids are signed 64-bit)
                    name,
                    raw[name],
                    _("must be at most %(le)s"),
                    code="less_than_equal",
                    params={"le": MAX_ID},
                )
            else:
                error = FieldError(name, raw[name], _("must be a whole number"), code="int_parsing")
            errors.append(error)
            raw[name] = ""
    for name in feature_params():  # other features' filters (analytics' months of purchase…)
        raw[name] = _text(params, name)[:200]
    query = ListQuery(filters={k: v for k, v in raw.items() if v})
    cols = _text(params, "cols")
    if cols:
        chosen = list(dict.fromkeys(c.strip() for c in cols.split(",") if c.strip()))
        unknown = [c for c in chosen if c not in available]
        if unknown or not chosen or len(chosen) > MAX_COLUMNS:
            errors.append(
                FieldError(
                    "cols",
                    cols[:200],
                    _("names a column the list does not have"),
                    code="column_unknown",
                )
            )
        chosen = [c for c in chosen if c in available][:MAX_COLUMNS]
        if chosen:
            query.columns = chosen if "name" in chosen else ["name", *chosen]
    sort = _text(params, "sort")
    if sort:
        column = available.get(sort.removeprefix("-"))
        if column is None or column.sort is None:
            errors.append(
                FieldError(
                    "sort", sort[:50], _("is not a column the list sorts by"), code="sort_unknown"
                )
            )
        else:
            query.sort = sort
    return query, errors


def feature_params() -> list[str]:
    """The URL parameters of the filters other features register (core.registries), beyond
    the list's own: they are kept in the query (URL, saved views) and applied by their owner."""
    return [p for f in party_filters() for p in f.params if p not in FILTERS]


def feature_descriptions(query: ListQuery) -> list[str]:
    """What the other features' filters in the query keep, in words ("ordered in 2026-02")."""
    described: list[str] = []
    for party_filter in party_filters():
        values = {p: query.filters[p] for p in party_filter.params if p in query.filters}
        if values and not set(values) <= set(FILTERS):
            described += party_filter.describe(values)
    return described


def checked_list_query(params: Mapping[str, Any]) -> ListQuery:
    """The list query, or Invalid naming every wrong part (the API and saved views)."""
    query, errors = parse_list_query(params)
    if errors:
        raise Invalid(errors)
    return query


def _last_interaction() -> Subquery:
    latest = Interaction.objects.filter(party=OuterRef("pk")).order_by("-occurred_at", "-id")
    return Subquery(latest.values("occurred_at")[:1])


def filtered_parties(user: User, query: ListQuery) -> QuerySet[Party]:
    """The visible parties the query's filters select, in no particular order."""
    f = query.filters
    parties = search_parties(
        user,
        q=f.get("q", ""),
        kind=f.get("kind", ""),
        role=f.get("role", ""),
        tag=f.get("tag", ""),
        owner_id=id_from_text(f.get("owner")),
        team_id=id_from_text(f.get("team")),
    )
    if f.get("lifecycle"):
        parties = parties.filter(metrics__lifecycle_state=f["lifecycle"])
    if f.get("tier"):
        parties = parties.filter(metrics__tier=f["tier"])
    if f.get("segment"):
        parties = _in_segment(parties, id_from_text(f["segment"]))
    for party_filter in party_filters():  # Invalid names the parameter of a bad value
        values = {p: f[p] for p in party_filter.params if p in f and p not in FILTERS}
        if values:
            parties = party_filter.apply(user, parties, values)
    return parties


def _in_segment(parties: QuerySet[Party], segment_id: int | None) -> QuerySet[Party]:
    segment = Segment.objects.filter(pk=segment_id).first() if segment_id is not None else None
    if segment is None:
        return parties.none()
    return segment_filter(segment).apply(parties)


def list_parties(user: User, query: ListQuery) -> QuerySet[Party]:
    """The visible parties the query selects, sorted, with what its columns show loaded."""
    parties = filtered_parties(user, query).select_related("owner", "team", "metrics")
    parties = parties.prefetch_related("roles", "tags", "contact_points")
    if "last_interaction" in query.columns or query.sort_key == "last_interaction":
        parties = parties.annotate(last_interaction=_last_interaction())
    path = columns_for_sort().get(query.sort_key, "display_name")
    expression = F(path)
    order = (
        expression.desc(nulls_last=True) if query.descending else expression.asc(nulls_last=True)
    )
    return parties.order_by(order, "pk")


def shown_parties(user: User, query: ListQuery) -> tuple[QuerySet[Party], list[FieldError]]:
    """What the list page shows, and the errors of filters that could not be applied: a bad
    value of another feature's filter shows nobody rather than more than was asked for (a
    bulk action on "all matching" included); a segment whose saved rules no longer check is
    named and left out. Changes `query` to what was applied."""
    try:
        return list_parties(user, query), []
    except Invalid as exc:
        features = any(e.field in query.filters for e in exc.errors)
        errors = []
        for e in exc.errors:
            field = e.field if e.field in query.filters else "segment"
            value = query.filters.get(field, "")
            errors.append(FieldError(field, value, e.message, code=e.code, params=e.params))
        if features:
            return list_parties(user, replace(query, filters={})).none(), errors
        query.filters.pop("segment", "")
        return list_parties(user, query), errors


def columns_for_sort() -> dict[str, str]:
    """Each sortable built-in column and the ORM path it sorts by."""
    return {c.key: c.sort for c in _BUILT_IN if c.sort is not None}
