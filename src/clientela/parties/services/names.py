"""A party's names as lists and searches show them: the display name and the folded search text."""

from __future__ import annotations

from clientela.parties.models import ContactKind, Party, PartyKind
from clientela.parties.services.identity import name_key, normalize_text


def display_name(party: Party) -> str:
    """An organization's name, or a person's given and family names."""
    if party.kind == PartyKind.ORGANIZATION:
        return party.organization_name
    return " ".join(n for n in (party.given_name, party.family_name) if n)


def refresh_search_text(party: Party) -> None:
    """Recompute the folded text that search matches: names, e-mails, phones, handles."""
    parts = [party.display_name, party.given_name, party.family_name, party.organization_name]
    parts += [
        p.normalized
        for p in party.contact_points.all()
        if p.kind in {ContactKind.EMAIL, ContactKind.PHONE, ContactKind.SOCIAL}
    ]
    text = " | ".join(normalize_text(p) for p in parts if p)
    key = name_key(party.kind, party.given_name, party.family_name, party.organization_name)
    Party.objects.filter(pk=party.pk).update(search_text=text, name_key=key)
    party.search_text = text
    party.name_key = key
