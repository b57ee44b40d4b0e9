"""Read-only look-ups the party pages need beyond parties.services: pickers and labels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from clientela.accounts.models import Team, User
from clientela.parties.access import visible_parties
from clientela.parties.models import Party, PartyChange, PartyKind, Tag
from clientela.parties.services import search_parties

PICKER_SIZE = 50


def organization_options(user: User, *, q: str = "", include: Iterable[Any] = ()) -> list[Party]:
    """Visible organizations for a picker: those matching `q`, and the ids already chosen."""
    q = q.strip()
    orgs = search_parties(user, kind=PartyKind.ORGANIZATION)
    if q.isdigit():
        found = list(orgs.filter(pk=int(q)))
    else:
        found = list(search_parties(user, q=q, kind=PartyKind.ORGANIZATION)[:PICKER_SIZE])
    ids = {int(i) for i in include if str(i).isdigit()} - {p.pk for p in found}
    if ids:
        found += list(orgs.filter(pk__in=ids))
    return sorted(found, key=lambda p: (p.display_name.lower(), p.pk))


def organization_names(user: User, ids: Iterable[Any]) -> dict[int, str]:
    """Names of the visible organizations among `ids` (typed text is ignored)."""
    wanted = {int(i) for i in ids if str(i).isdigit()}
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
