"""A party's place among others: its owner and team, parent organization and affiliations."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import Team, User
from clientela.core.errors import FieldError
from clientela.core.ids import is_id
from clientela.parties.models import Affiliation, Party, PartyKind
from clientela.parties.queries import visible_parties
from clientela.parties.schemas import PartyFields

_NOT_FOUND_CODES = {"owner_id": "owner_not_found", "team_id": "team_not_found"}


def apply_relations(party: Party, data: PartyFields, *, by: User, errors: list[FieldError]) -> None:
    """Set the owner, team and parent that were sent, or add the errors that prevent it."""
    sent = data.model_fields_set
    for name in ("owner_id", "team_id"):
        if name in sent:
            _assign(party, name, getattr(data, name), by=by, errors=errors)
    if "parent_id" in sent:
        _set_parent(party, data.parent_id, by=by, errors=errors)


def _assign(
    party: Party, name: str, value: int | None, *, by: User, errors: list[FieldError]
) -> None:
    if not by.can_assign:
        errors.append(
            FieldError(
                name,
                value,
                _("only managers and admins may assign an owner or a team"),
                code="assign_forbidden",
            )
        )
        return
    if value is not None and not _exists(name, value):
        errors.append(FieldError(name, value, _("does not exist"), code=_NOT_FOUND_CODES[name]))
        return
    setattr(party, name, value)


def _exists(name: str, value: int) -> bool:
    if not is_id(value):
        return False
    if name == "owner_id":
        return User.objects.filter(pk=value, is_active=True).exists()
    return Team.objects.filter(pk=value).exists()


def _set_parent(party: Party, value: int | None, *, by: User, errors: list[FieldError]) -> None:
    if value is not None and party.kind != PartyKind.ORGANIZATION:
        errors.append(
            FieldError(
                "parent_id",
                value,
                _("only organizations have a parent organization"),
                code="parent_not_allowed",
            )
        )
        return
    if value is not None:
        parent = (
            visible_parties(by).filter(pk=value, kind=PartyKind.ORGANIZATION).first()
            if is_id(value)
            else None
        )
        if parent is None:
            errors.append(_not_visible("parent_id", value))
            return
        if party.pk and _is_descendant(parent, party):
            errors.append(
                FieldError(
                    "parent_id",
                    value,
                    _("would make a loop in the hierarchy"),
                    code="parent_loop",
                )
            )
            return
    party.parent_id = value


def _not_visible(field: str, value: int) -> FieldError:
    return FieldError(
        field, value, _("is not an organization you can see"), code="organization_not_visible"
    )


def _is_descendant(candidate: Party, root: Party) -> bool:
    seen: set[int] = set()
    node: Party | None = candidate
    while node is not None and node.pk not in seen:
        if node.pk == root.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


def check_affiliations(
    party: Party, data: PartyFields, errors: list[FieldError], *, by: User
) -> list[Affiliation]:
    """The affiliations to store, each to a visible organization; errors for the others."""
    items = data.affiliations or []
    if items and party.kind != PartyKind.PERSON:
        errors.append(
            FieldError(
                "affiliations",
                len(items),
                _("only persons can be affiliated to organizations"),
                code="affiliation_not_person",
            )
        )
        return []
    ids = {a.organization_id for a in items if is_id(a.organization_id)}
    orgs = visible_parties(by).filter(pk__in=ids, kind=PartyKind.ORGANIZATION) if ids else None
    found = set(orgs.values_list("pk", flat=True)) if orgs is not None else set()
    result = []
    for i, item in enumerate(items):
        if item.organization_id not in found:
            errors.append(_not_visible(f"affiliations.{i}.organization_id", item.organization_id))
            continue
        result.append(
            Affiliation(
                person=party,
                organization_id=item.organization_id,
                title=item.title,
                since=item.since,
                until=item.until,
            )
        )
    return result
