"""Who a new party may be made from: the addresses other features keep out.

Consent keeps erased and suppressed e-mails and phones out until the person comes back
themself; it says so through the creation guards of core.registries, which this floor may
ask without knowing consent. Every staff door that makes a party (the API, the party form,
an import) goes through `create_party`, which asks here; an import asks first, to skip the
row instead of refusing it. A person's own sign-up (`create_prospect`) is not a staff door.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils.translation import gettext_lazy as _

from clientela.core.errors import FieldError, Invalid, Problem
from clientela.core.registries import refused_addresses
from clientela.parties.models import ContactKind
from clientela.parties.schemas import PartyCreate
from clientela.parties.services.identity import normalize_contact

GUARDED = frozenset({ContactKind.EMAIL, ContactKind.PHONE})


def kept_out(
    points: Iterable[tuple[str, str]], *, normalize: Callable[[str, str], str] = normalize_contact
) -> dict[tuple[str, str], Problem]:
    """Why each of these (kind, value as given) may not make a new party; the others are
    left out, and so are values that are not an address (their own rule names them).
    `normalize` is normalize_contact, or a memory of it (identity.Normals)."""
    given: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for kind, value in points:
        if kind not in GUARDED:
            continue
        try:
            normal = normalize(kind, value)
        except ValueError:  # a Problem too: the schema's check names it
            continue
        given.setdefault((str(kind), normal), []).append((kind, value))
    refused = refused_addresses(list(given))
    return {point: why for key, why in refused.items() for point in given[key]}


def refuse_kept_out(data: PartyCreate) -> None:
    """Invalid, naming each contact point that no new party may be made from."""
    points = [(p.kind, p.value) for p in data.contact_points or []]
    refused = kept_out(points)
    if not refused:
        return
    errors: list[FieldError] = [
        refused[point].at(f"contact_points.{i}.value", point[1])
        for i, point in enumerate(points)
        if point in refused
    ]
    raise Invalid(
        errors,
        _("no party is made from an erased or suppressed address"),
        code="party_kept_out",
    )
