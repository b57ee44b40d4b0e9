"""A party given a state already checked and merged (an import's update, or the taking back of
one): its fields set and its lists replaced, as update_party saves them."""

from __future__ import annotations

from typing import Any

from clientela.parties.models import Affiliation, KeyDate, Party, PartyRole, Tag
from clientela.parties.services.changes import SCALAR_FIELDS
from clientela.parties.services.contacts import replace_contact_points
from clientela.parties.services.names import display_name, refresh_search_text

_POINT_KEYS = (
    "kind",
    "value",
    "label",
    "is_primary",
    "street",
    "locality",
    "region",
    "postal_code",
    "country",
)


def apply_state(party_id: int, state: dict[str, Any]) -> None:
    """Set the fields in `state` (PartyUpdate-shaped, as import data holds it: see
    imports' party_state) on the party; each list given replaces the whole list."""
    party = Party.objects.get(pk=party_id)
    for name in (*SCALAR_FIELDS, "owner_id", "team_id"):
        if name in state:
            value = state[name]
            setattr(party, name, (value or None) if name == "external_id" else value)
    for name in SCALAR_FIELDS:
        if getattr(party, name) is None and name != "external_id":
            setattr(party, name, "")
    if "custom" in state:
        party.custom = state["custom"]
    party.display_name = display_name(party)
    party.save()
    if "tags" in state:
        party.tags.set([Tag.objects.get_or_create(name=name)[0] for name in state["tags"]])
    if "roles" in state:
        party.roles.all().delete()
        PartyRole.objects.bulk_create(
            PartyRole(party=party, role=r["role"], since=r.get("since"), until=r.get("until"))
            for r in state["roles"]
        )
    if "contact_points" in state:
        points = [{k: p[k] for k in _POINT_KEYS if k in p} for p in state["contact_points"]]
        replace_contact_points(party, points)
    if "key_dates" in state:
        party.key_dates.all().delete()
        KeyDate.objects.bulk_create(KeyDate(party=party, **d) for d in state["key_dates"])
    if "affiliations" in state:
        party.affiliations.all().delete()
        Affiliation.objects.bulk_create(
            Affiliation(person=party, **a) for a in state["affiliations"]
        )
    refresh_search_text(party)
