"""A party's contact points: stored in normal form, and refused when another party holds them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from clientela.accounts.models import User
from clientela.core.errors import Conflict, FieldError, Invalid, unavailable
from clientela.parties.models import ContactKind, ContactPoint, Party
from clientela.parties.queries import visible_parties
from clientela.parties.schemas import PartyFields
from clientela.parties.services.identity import find_exact_matches, normalize_contact

_MATCHED_KINDS = frozenset({ContactKind.EMAIL, ContactKind.PHONE})


def refuse_exact_duplicates(data: PartyFields, *, by: User) -> None:
    """Conflict when a live party already has one of these e-mails or phones.

    The answer names the party only when `by` may see it (a 409). A party `by` may not see is
    not revealed: its address reads like any invalid value (422, value_unavailable).
    """
    points = list(enumerate(data.contact_points or []))
    matches = find_exact_matches(
        [p.value for _i, p in points if p.kind == ContactKind.EMAIL],
        # In E.164 already when the number reads in its country: found in any region.
        [_phone(p.value, p.country) for _i, p in points if p.kind == ContactKind.PHONE],
    )
    if not matches:
        return
    ids = {i for found in matches.values() for i in found}
    visible = set(visible_parties(by).filter(pk__in=ids).values_list("pk", flat=True))
    errors = []
    seen = False
    for i, point in points:
        if point.kind not in _MATCHED_KINDS:
            continue
        found = matches.get(normalize_contact(point.kind, point.value, point.country or None), [])
        shown = [pk for pk in found if pk in visible]
        field = f"contact_points.{i}.value"
        if shown:
            seen = True
            errors.append(
                FieldError(
                    field,
                    point.value,
                    _("is used by party %(party)s"),
                    code="contact_in_use",
                    params={"party": shown[0]},
                )
            )
        elif found:
            errors.append(unavailable(field, point.value))
    if not seen:  # only parties the user may not see: nothing says one exists
        raise Invalid(errors)
    raise Conflict(
        _("a party with this e-mail or phone already exists"),
        code="party_contact_in_use",
        errors=errors,
    )


def replace_contact_points(party: Party, points: Iterable[dict[str, Any]]) -> None:
    """Replace the contact points, normalising each value; one primary per kind."""
    party.contact_points.all().delete()
    rows = []
    has_primary: set[str] = set()
    for point in points:
        row = ContactPoint(party=party, **point)
        row.normalized = normalize_contact(row.kind, row.value, row.country or None)
        if row.is_primary:
            has_primary.add(row.kind)
        rows.append(row)
    for row in rows:  # the first of each kind is primary when none was chosen
        if row.kind not in has_primary:
            row.is_primary = True
            has_primary.add(row.kind)
    ContactPoint.objects.bulk_create(rows)


def _phone(value: str, country: str) -> str:
    """The number in E.164 when it reads in its country; as given otherwise (its own rule
    names it)."""
    try:
        return normalize_contact(ContactKind.PHONE, value, country or None)
    except ValueError:
        return value
