"""Read side of parties: who may see which parties (applied in querysets, once, for every
path), the searches and records the API and pages read, and the look-ups of pickers and labels."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientela.accounts.models import Team, User
from clientela.core import prepared
from clientela.core.errors import NotFound
from clientela.core.ids import id_from_text, is_id
from clientela.parties import presenters
from clientela.parties.models import (
    Affiliation,
    ContactPoint,
    KeyDate,
    Party,
    PartyAlias,
    PartyChange,
    PartyKind,
    PartyRole,
    Tag,
)
from clientela.parties.services.identity import normalize_text
from clientela.parties.services.tags import tag_key

_PHONE_LIKE = re.compile(r"^\+?[\d\s().\-/]+$")
LOOKUP_CHUNK = 500  # values per IN (...): well under SQLite's variable limit


def party_access(user: User) -> Q:
    """Which parties this user may see, as one filter: the access rule, written once.

    All for admins, managers, marketing and viewers; for sales and support, those owned by
    them or by their team; none for a disabled user. Every read applies it through
    `visible_parties`; the prepared reads key their compiled SQL on the filter it returns
    (`prepared.split`), so a rule that reads any other field of the user is followed too.
    """
    if not user.is_active:
        return Q(pk__in=[])
    if user.sees_all_parties:
        return Q()
    rule = Q(owner_id=user.pk)
    if user.team_id is not None:
        rule |= Q(team_id=user.team_id)
    return rule


def _live() -> QuerySet[Party]:
    return Party.objects.filter(archived_at__isnull=True)


def visible_parties(user: User) -> QuerySet[Party]:
    """The parties this user may see (`party_access`); archived ones are hidden."""
    return _live().filter(party_access(user))


def _not_found(party_id: int) -> NotFound:
    return NotFound(_("party %(id)s not found"), code="party_not_found", params={"id": party_id})


def get_visible_party(user: User, party_id: int) -> Party:
    """The party if the user may see it; NotFound otherwise, so its existence is not revealed."""
    party = (
        visible_parties(user).select_related("owner", "team", "parent").filter(pk=party_id).first()
    )
    if party is None:
        raise _not_found(party_id)
    return party


def visible_party_values(user: User, party_id: int, fields: Sequence[str]) -> tuple[Any, ...]:
    """`fields` of the party if the user may see it (NotFound otherwise), in one query.

    The API's hot reads use it: the query is compiled once per process for each shape of the
    access filter and each list of fields (core.prepared), and the user's values are bound.
    """
    if not -(2**63) <= party_id < 2**63:  # beyond any id a database stores
        raise _not_found(party_id)
    rule = party_access(user)
    access = prepared.split(rule, prefix="access_")
    found: list[tuple[Any, ...]] | None = None
    if access is not None:

        def build(party_id: int, **bound: Any) -> QuerySet[Any]:
            rows = _live().filter(access.rebuild(bound)).filter(pk=party_id)
            return rows.values_list(*fields)[:1]

        key = ("parties.visible", access.shape, tuple(fields))
        try:
            found = prepared.rows(key, build, {"party_id": party_id, **access.values})
        except prepared.NotPrepared:
            found = None
    if found is None:  # a rule the cache cannot key: Django compiles it on every call
        found = list(_live().filter(rule).filter(pk=party_id).values_list(*fields)[:1])
    if not found:
        raise _not_found(party_id)
    return found[0]


def parties_by_external_id(parties: QuerySet[Party], external_ids: Iterable[str]) -> dict[str, int]:
    """Which of `parties` each external id names, its own or an alias (that of a party merged
    into it): the one look-up by external id (imports, the bulk writer, the command line)."""
    wanted = sorted({str(ref) for ref in external_ids if ref})
    found: dict[str, int] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = wanted[start : start + LOOKUP_CHUNK]
        own = parties.filter(external_id__in=chunk).values_list("external_id", "pk")
        found.update((str(ref), pk) for ref, pk in own)
        aliases = PartyAlias.objects.filter(external_id__in=chunk, party__in=parties)
        for ref, pk in aliases.values_list("external_id", "party_id"):
            found.setdefault(ref, pk)
    return found


def external_ids_of(parties: QuerySet[Party]) -> Iterator[tuple[str, int]]:
    """Every external id that names one of `parties`, its own and its aliases, with its id."""
    own = parties.filter(external_id__isnull=False).values_list("external_id", "pk")
    yield from ((str(ref), pk) for ref, pk in own.iterator(chunk_size=20_000))
    aliases = PartyAlias.objects.filter(party__in=parties).values_list("external_id", "party_id")
    yield from aliases.iterator(chunk_size=20_000)


def with_details(parties: QuerySet[Party]) -> QuerySet[Party]:
    """Everything a party page or PartyOut needs, in a fixed number of queries."""
    return parties.select_related("owner", "team", "parent").prefetch_related(
        "tags",
        "roles",
        "contact_points",
        "key_dates",
        Prefetch("affiliations", queryset=Affiliation.objects.select_related("organization")),
    )


def search_parties(
    user: User,
    *,
    q: str = "",
    kind: str = "",
    role: str = "",
    tag: str = "",
    owner_id: int | None = None,
    team_id: int | None = None,
) -> QuerySet[Party]:
    """Visible parties matching every filter given; `q` matches names, e-mails, phones, ids.

    Accents and case are ignored; a phone number matches however it is spaced. An owner or
    team that does not exist matches nothing.
    """
    parties = visible_parties(user)
    if q := q.strip():
        aliased = Exists(PartyAlias.objects.filter(party=OuterRef("pk"), external_id=q))
        rule = Q(search_text__contains=normalize_text(q)) | Q(external_id=q) | Q(aliased)
        digits = re.sub(r"\D", "", q)
        if _PHONE_LIKE.match(q) and len(digits) >= 4:
            rule |= Q(search_text__contains=digits)
        parties = parties.filter(rule)
    if kind:
        parties = parties.filter(kind=kind)
    if role:
        parties = parties.filter(Exists(PartyRole.objects.filter(party=OuterRef("pk"), role=role)))
    if tag:
        parties = parties.filter(
            Exists(Party.tags.through.objects.filter(party=OuterRef("pk"), tag__key=tag_key(tag)))
        )
    for name, value in (("owner_id", owner_id), ("team_id", team_id)):
        if value is not None:
            if not is_id(value):  # the web list's filters come as text, unchecked
                return parties.none()
            parties = parties.filter(**{name: value})
    return parties


def visible_party_details(user: User, party_id: int) -> Party:
    """The party with everything PartyOut needs, if the user may see it; NotFound otherwise."""
    party = with_details(visible_parties(user)).filter(pk=party_id).first()
    if party is None:
        raise _not_found(party_id)
    return party


_RECORD_REFS = (
    "owner_id",
    "owner__full_name",
    "owner__email",
    "team_id",
    "team__name",
    "parent_id",
    "parent__display_name",
)


def _child_rows(name: str, party_id: int, build: Any) -> list[tuple[Any, ...]]:
    return prepared.rows(("parties.record", name), build, {"party_id": party_id})


def party_record(user: User, party_id: int) -> dict[str, Any]:
    """PartyOut as a dict, if the user may see the party (NotFound otherwise).

    The API's hottest read: six small queries, each compiled once per process (core.prepared),
    reading only the columns PartyOut shows. Same content as presenters.party_out(with_details).
    """
    row = visible_party_values(user, party_id, presenters.RECORD_FIELDS + _RECORD_REFS)
    pk = row[0]
    tags = _child_rows(
        "tags", pk, lambda party_id: Tag.objects.filter(parties__id=party_id).values_list("name")
    )
    roles = _child_rows(
        "roles",
        pk,
        lambda party_id: PartyRole.objects.filter(party_id=party_id).values_list(
            "role", "since", "until"
        ),
    )
    points = _child_rows(
        "contact_points",
        pk,
        lambda party_id: ContactPoint.objects.filter(party_id=party_id).values_list(
            *presenters.CONTACT_POINT_FIELDS
        ),
    )
    dates = _child_rows(
        "key_dates",
        pk,
        lambda party_id: KeyDate.objects.filter(party_id=party_id).values_list(
            "kind", "label", "year", "month", "day"
        ),
    )
    affiliations = _child_rows(
        "affiliations",
        pk,
        lambda party_id: Affiliation.objects.filter(person_id=party_id).values_list(
            "organization_id", "organization__display_name", "title", "since", "until"
        ),
    )
    return presenters.party_record(
        row, tags=tags, roles=roles, points=points, dates=dates, affiliations=affiliations
    )


def change_log(party: Party) -> QuerySet[PartyChange]:
    """The party's changes, newest first, with who made them."""
    return party.changes.select_related("actor")


PICKER_SIZE = 50


def organization_options(user: User, *, q: str = "", include: Iterable[Any] = ()) -> list[Party]:
    """Visible organizations for a picker: those matching `q`, and the ids already chosen."""
    q = q.strip()
    orgs = search_parties(user, kind=PartyKind.ORGANIZATION)
    if (pk := id_from_text(q)) is not None:
        found = list(orgs.filter(pk=pk))
    else:
        found = list(search_parties(user, q=q, kind=PartyKind.ORGANIZATION)[:PICKER_SIZE])
    ids = {i for i in map(id_from_text, include) if i is not None} - {p.pk for p in found}
    if ids:
        found += list(orgs.filter(pk__in=ids))
    return sorted(found, key=lambda p: (p.display_name.lower(), p.pk))


def organization_names(user: User, ids: Iterable[Any]) -> dict[int, str]:
    """Names of the visible organizations among `ids` (typed text is ignored)."""
    wanted = {i for i in map(id_from_text, ids) if i is not None}
    if not wanted:
        return {}
    rows = visible_parties(user).filter(pk__in=wanted, kind=PartyKind.ORGANIZATION)
    return dict(rows.values_list("pk", "display_name"))


def assignable_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("full_name", "email")


def teams() -> QuerySet[Team]:
    return Team.objects.order_by("name")


def tag_names(limit: int = 300) -> list[str]:
    return list(Tag.objects.order_by("name").values_list("name", flat=True)[:limit])


def members(user: User, organization: Party) -> QuerySet[Party]:
    """The visible persons affiliated to an organization, with their affiliation loaded."""
    return (
        visible_parties(user)
        .filter(affiliations__organization=organization)
        .prefetch_related("affiliations")
        .distinct()
        .order_by("display_name", "id")
    )


def subsidiaries(user: User, organization: Party) -> QuerySet[Party]:
    return visible_parties(user).filter(parent=organization).order_by("display_name", "id")


FIELD_LABELS = {
    "given_name": _("Given name"),
    "family_name": _("Family name"),
    "organization_name": _("Organization name"),
    "external_id": _("External id"),
    "language": _("Preferred language"),
    "timezone": _("Time zone"),
    "organization_level": _("Organization level"),
    "notes": _("Notes"),
    "owner_id": _("Owner"),
    "team_id": _("Team"),
    "parent_id": _("Parent organization"),
    "archived": _("Archived"),
    "custom": _("Custom fields"),
    "tags": _("Tags"),
    "roles": _("Roles"),
    "contact_points": _("Contact points"),
    "key_dates": _("Key dates"),
    "affiliations": _("Affiliations"),
}
ACTION_LABELS = {
    "created": pgettext_lazy("party change", "created"),
    "updated": pgettext_lazy("party change", "updated"),
    "archived": pgettext_lazy("party change", "archived"),
}


@dataclass(frozen=True)
class ChangeLine:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ChangeEntry:
    change: PartyChange
    action: str
    lines: list[ChangeLine]


def describe_changes(changes: Iterable[PartyChange]) -> list[ChangeEntry]:
    """Change-log rows with ids of owners, teams and organizations shown as names."""
    changes = list(changes)
    ids: dict[str, set[int]] = {"owner_id": set(), "team_id": set(), "party": set()}
    for change in changes:
        for name, pair in change.changes.items():
            values = [v for v in pair if isinstance(v, int)]
            if name == "owner_id":
                ids["owner_id"].update(values)
            elif name == "team_id":
                ids["team_id"].update(values)
            elif name == "parent_id":
                ids["party"].update(values)
            elif name == "affiliations":
                ids["party"].update(v for side in pair for v in (side or []))
    names: dict[str, dict[int, str]] = {
        "owner_id": {u.pk: str(u) for u in User.objects.filter(pk__in=ids["owner_id"])},
        "team_id": dict(Team.objects.filter(pk__in=ids["team_id"]).values_list("pk", "name")),
        "party": dict(Party.objects.filter(pk__in=ids["party"]).values_list("pk", "display_name")),
    }
    lookup = {"owner_id": "owner_id", "team_id": "team_id", "parent_id": "party"}

    def show(name: str, value: Any) -> str:
        if value in (None, "", [], {}):
            return "—"
        if name in lookup and isinstance(value, int):
            return names[lookup[name]].get(value, f"#{value}")
        if name == "affiliations":
            return ", ".join(names["party"].get(v, f"#{v}") for v in value)
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        if isinstance(value, dict):
            return ", ".join(f"{k}: {v}" for k, v in value.items())
        if isinstance(value, bool):
            return "✓" if value else "✗"
        return str(value)

    return [
        ChangeEntry(
            change=change,
            action=str(ACTION_LABELS.get(change.action, change.action)),
            lines=[
                ChangeLine(
                    field=name,
                    label=str(FIELD_LABELS.get(name, name)),
                    before=show(name, pair[0]),
                    after=show(name, pair[1]),
                )
                for name, pair in sorted(change.changes.items())
            ],
        )
        for change in changes
    ]
