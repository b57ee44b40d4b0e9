"""Who a new party may be made from: the addresses other features keep out.

Consent keeps erased and suppressed e-mails and phones out until the person comes back
themself; it says so through the creation guards of core.registries, which this floor may
ask without knowing consent. Every staff door that makes a party (the API, the party form,
an import) goes through `create_party`, which asks here; an import asks first, to skip the
row instead of refusing it. A person's own sign-up (`create_prospect`) is not a staff door.
Adding such an address to a party that exists (`update_party`: the API's PUT and PATCH, the
party form) is refused the same way; an address the party already has is left alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.translation import gettext_lazy as _

from clientela.core.errors import FieldError, Invalid, Problem
from clientela.core.registries import refused_addresses
from clientela.parties.models import ContactKind, Party
from clientela.parties.schemas import PartyFields
from clientela.parties.services.identity import normalize_contact

GUARDED = frozenset({ContactKind.EMAIL, ContactKind.PHONE})


def kept_out(
    points: Iterable[tuple[str, str] | tuple[str, str, str | None]],
    *,
    normalize: Callable[[str, str, str | None], str] = normalize_contact,
) -> dict[tuple[str, str], Problem]:
    """Why each of these (kind, value as given[, the country a phone is read in]) may not
    make a new party; the others are left out, and so are values that are not an address
    (their own rule names them). `normalize` is normalize_contact, or a memory of it
    (identity.Normals)."""
    given: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for kind, value, *region in points:
        if kind not in GUARDED:
            continue
        try:
            normal = normalize(kind, value, region[0] if region else None)
        except ValueError:  # a Problem too: the schema's check names it
            continue
        given.setdefault((str(kind), normal), []).append((kind, value))
    refused = refused_addresses(list(given))
    return {point: why for key, why in refused.items() for point in given[key]}


def refuse_kept_out(data: PartyFields, party: Party | None = None) -> None:
    """Invalid, naming each contact point that no new party may be made from, or (for a party
    that exists) that may not be added to it."""
    if "contact_points" not in data.model_fields_set and party is not None:
        return
    points = [(p.kind, p.value) for p in data.contact_points or []]
    regions: dict[tuple[str, str], str | None] = {
        (p.kind, p.value): p.country or None for p in data.contact_points or []
    }
    held = set() if party is None else set(party.contact_points.values_list("kind", "normalized"))
    refused = {
        point: why
        for point, why in kept_out((*point, region) for point, region in regions.items()).items()
        if (point[0], normalize_contact(point[0], point[1], regions[point])) not in held
    }
    if not refused:
        return
    errors: list[FieldError] = [
        refused[point].at(f"contact_points.{i}.value", point[1])
        for i, point in enumerate(points)
        if point in refused
    ]
    if party is None:
        raise Invalid(
            errors,
            _("no party is made from an erased or suppressed address"),
            code="party_kept_out",
        )
    raise Invalid(
        errors,
        _("an erased or suppressed address is not added to a party"),
        code="contact_kept_out",
    )
